/**
 * The bytes Koa will send for `ctx.body`, computed the way Koa's own `respond` does: a Buffer or string
 * as it is, a stream / Blob / web stream read through, `null` as the status message, anything else as
 * `JSON.stringify`. A stream is buffered up to `limit` by core (past it, the prefix is recorded and the
 * body becomes the prefix followed by the rest of the stream).
 */
import { Readable } from 'node:stream';
import type { Context } from 'koa';
import { bufferAsyncBody, isAsyncIterable } from '@idem/core/adapter';

const EMPTY_STATUSES = new Set([204, 205, 304]);

export interface CapturedBody {
  bytes: Buffer;
  /** What `ctx.body` becomes: the same bytes (a stream can only be read once). */
  body: unknown;
  /** Headers Koa adds while responding (the status-message body's content type). */
  extraHeaders?: Record<string, string>;
}

export async function captureBody(ctx: Context, limit: number): Promise<CapturedBody> {
  const body: unknown = ctx.body;
  if (EMPTY_STATUSES.has(ctx.status)) return { bytes: Buffer.alloc(0), body };
  if (body === null || body === undefined) {
    if ((ctx.response as unknown as { _explicitNullBody?: boolean })._explicitNullBody) return { bytes: Buffer.alloc(0), body };
    const message = ctx.req.httpVersionMajor >= 2 ? String(ctx.status) : ctx.message || String(ctx.status);
    return { bytes: Buffer.from(message), body, extraHeaders: { 'content-type': 'text/plain; charset=utf-8' } };
  }
  if (Buffer.isBuffer(body)) return { bytes: body, body };
  if (typeof body === 'string') return { bytes: Buffer.from(body), body };
  const stream = toAsyncIterable(body);
  if (stream) return readStream(stream, limit);
  const json = Buffer.from(JSON.stringify(body));
  return { bytes: json, body: json };
}

function toAsyncIterable(body: unknown): AsyncIterable<unknown> | undefined {
  if (body instanceof Blob) return body.stream() as unknown as AsyncIterable<unknown>;
  if (body instanceof Response) return (body.body ?? []) as unknown as AsyncIterable<unknown>;
  return isAsyncIterable(body) ? body : undefined;
}

async function readStream(stream: AsyncIterable<unknown>, limit: number): Promise<CapturedBody> {
  const buffered = await bufferAsyncBody(stream, limit);
  const bytes = Buffer.from(buffered.bytes.buffer, buffered.bytes.byteOffset, buffered.bytes.byteLength);
  return { bytes, body: buffered.overflow ? Readable.from(buffered.overflow) : bytes };
}
