/**
 * The response codec: status, headers and the exact body bytes in one binary payload that every store
 * persists as-is, so a replay is byte-identical whatever the backend.
 *
 * Layout: 1 byte version | 4 bytes big-endian length N of the JSON meta | N bytes UTF-8 JSON
 * `{ s: status, h: headers }` | the body bytes, untouched.
 */
import type { HttpResponse } from './http';

const VERSION = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeResponse(response: HttpResponse): Uint8Array {
  const meta = JSON.stringify({ s: response.status, h: response.headers });
  const metaLength = Buffer.byteLength(meta);
  // One allocation, of its own (not a slice of the shared pool, which a stored record would pin);
  // the meta is written in place rather than encoded first and copied.
  const out = Buffer.allocUnsafeSlow(5 + metaLength + response.body.length);
  out[0] = VERSION;
  out.writeUInt32BE(metaLength, 1);
  out.write(meta, 5, 'utf8');
  out.set(response.body, 5 + metaLength);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

export function decodeResponse(payload: Uint8Array): HttpResponse {
  if (payload.length < 5 || payload[0] !== VERSION) throw new TypeError('Not an idem response payload');
  const metaLength = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(1);
  if (5 + metaLength > payload.length) throw new TypeError('Truncated idem response payload');
  const meta = JSON.parse(decoder.decode(payload.subarray(5, 5 + metaLength))) as {
    s: number;
    h: Record<string, string | string[]>;
  };
  return { status: meta.s, headers: meta.h, body: payload.subarray(5 + metaLength) };
}

/** The codec for the function API: how a function's result becomes bytes and back. */
export interface ResultSerializer<T = unknown> {
  serialize(value: T): Uint8Array;
  deserialize(bytes: Uint8Array): T;
}

/** JSON with `undefined` kept (a function returning nothing replays as nothing). */
export const jsonSerializer: ResultSerializer = {
  serialize: (value) => encoder.encode(value === undefined ? '' : JSON.stringify(value)),
  deserialize: (bytes) => (bytes.length === 0 ? undefined : JSON.parse(decoder.decode(bytes))),
};
