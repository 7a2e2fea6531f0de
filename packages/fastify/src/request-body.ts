/**
 * Keeps a copy of the raw request body as it streams from the socket to Fastify's content parser (a
 * `preParsing` hook), so the fingerprint uses the exact bytes whatever parser runs. Only the first
 * `limit` bytes are kept; past them the request is marked too large and the rest just flows through.
 */
import { Transform, type Readable } from 'node:stream';

export type RawBody = { kind: 'raw'; bytes: Buffer } | { kind: 'too-large' };

export function teeRequestBody(payload: Readable, limit: number, done: (body: RawBody) => void): Readable {
  const chunks: Buffer[] = [];
  let received = 0;
  let overflow = false;
  const tee = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (!overflow && received > limit) {
        overflow = true;
        chunks.length = 0;
      }
      if (!overflow) chunks.push(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      done(overflow ? { kind: 'too-large' } : { kind: 'raw', bytes: Buffer.concat(chunks, received) });
      callback();
    },
  });
  // Fastify checks the body limit against what the client sent (compressed or not): pass it along.
  Object.defineProperty(tee, 'receivedEncodedLength', {
    get: () => (payload as Readable & { receivedEncodedLength?: number }).receivedEncodedLength ?? received,
  });
  payload.on('error', (error) => tee.destroy(error));
  return payload.pipe(tee);
}
