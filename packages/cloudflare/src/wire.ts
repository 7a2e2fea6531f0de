/**
 * How the store and its Durable Object talk over `stub.fetch`: one binary frame each way, a JSON head
 * and, when there is one, the response bytes after it (no base64, so a 5 MiB response stays 5 MiB).
 * Layout: 4-byte big-endian head length, the head as UTF-8 JSON, then the bytes.
 */
export interface Frame<Head> {
  head: Head;
  /** Present (possibly empty) only when the frame carries bytes. */
  bytes?: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeFrame<Head>(head: Head, bytes?: Uint8Array): Uint8Array<ArrayBuffer> {
  const json = encoder.encode(JSON.stringify({ head, hasBytes: bytes !== undefined }));
  const frame = new Uint8Array(4 + json.length + (bytes?.length ?? 0));
  new DataView(frame.buffer).setUint32(0, json.length);
  frame.set(json, 4);
  if (bytes) frame.set(bytes, 4 + json.length);
  return frame;
}

export function decodeFrame<Head>(frame: Uint8Array): Frame<Head> {
  if (frame.length < 4) throw new Error('idem Durable Object frame is truncated');
  const length = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
  if (frame.length < 4 + length) throw new Error('idem Durable Object frame is truncated');
  const { head, hasBytes } = JSON.parse(decoder.decode(frame.subarray(4, 4 + length))) as { head: Head; hasBytes: boolean };
  return hasBytes ? { head, bytes: frame.slice(4 + length) } : { head };
}
