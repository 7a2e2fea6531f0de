/**
 * Buffers a streamed response body (any async iterable of chunks: a node stream, a web stream) up to
 * `limit` bytes (core's `maxResponseBytes`), so the record can be committed before the client sees a
 * byte. A larger body is not buffered whole: the prefix read so far is what gets recorded (core then
 * marks the key "processed, response not stored"), and `overflow` yields that prefix followed by the
 * rest of the source, so memory stays bounded.
 */
import { readUpTo } from './bytes';

export interface BufferedBody {
  /** The whole body, or its first bytes when it outgrew the limit. */
  bytes: Uint8Array;
  /** Present when the body outgrew the limit: the bytes to send (the prefix, then the rest). */
  overflow?: AsyncIterable<Uint8Array>;
}

export async function bufferAsyncBody(source: AsyncIterable<unknown>, limit: number): Promise<BufferedBody> {
  const iterator = source[Symbol.asyncIterator]();
  const { bytes, overflowed } = await readUpTo(async () => {
    const next = await iterator.next();
    return next.done ? next : { done: false, value: toBytes(next.value) };
  }, limit);
  return overflowed ? { bytes, overflow: continueAfter(bytes, iterator) } : { bytes };
}

/** True for what `for await` can read: node streams, web streams (Node, Deno, Bun), generators. */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

async function* continueAfter(prefix: Uint8Array, iterator: AsyncIterator<unknown>): AsyncGenerator<Uint8Array> {
  yield prefix;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    yield toBytes(next.value);
  }
}

const encoder = new TextEncoder();

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  return encoder.encode(typeof chunk === 'string' ? chunk : String(chunk));
}
