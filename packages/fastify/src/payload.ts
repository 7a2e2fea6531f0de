/**
 * The payload an `onSend` hook sees (a serialized string, a Buffer, a stream, or nothing) as exact
 * bytes. A stream is buffered up to `limit` by core (past it, the prefix is recorded and the payload
 * sent on is the prefix followed by the rest of the stream).
 */
import { Readable } from 'node:stream';
import { bufferAsyncBody, isAsyncIterable } from '@idem/core/adapter';

export interface CapturedPayload {
  /** The bytes to record: all of them, or the prefix of a stream past the limit. */
  bytes: Uint8Array;
  /** What `onSend` hands on to Fastify. */
  payload: unknown;
}

export async function capturePayload(payload: unknown, limit: number): Promise<CapturedPayload> {
  if (payload === null || payload === undefined) return { bytes: new Uint8Array(0), payload };
  if (typeof payload === 'string') return { bytes: Buffer.from(payload), payload };
  if (payload instanceof Uint8Array) return { bytes: payload, payload };
  if (!isAsyncIterable(payload)) return { bytes: Buffer.from(String(payload)), payload };
  const buffered = await bufferAsyncBody(payload, limit);
  if (buffered.overflow) return { bytes: buffered.bytes, payload: Readable.from(buffered.overflow) };
  const bytes = Buffer.from(buffered.bytes.buffer, buffered.bytes.byteOffset, buffered.bytes.byteLength);
  return { bytes, payload: bytes };
}
