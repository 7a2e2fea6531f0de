/**
 * Keeps a copy of the raw request body as it streams from the socket to Fastify's content parser (a
 * `preParsing` hook), so the fingerprint uses the exact bytes whatever parser runs. Only the first
 * `limit` bytes are kept; past them the request is marked too large and the rest just flows through.
 *
 * The tee sits between the socket and a reader that may never come: when no content parser matches
 * (Fastify answers 415) or the reply goes out before the body is read, nothing reads the tee. It must
 * then neither crash the process on a broken body nor hold the request half read forever.
 */
import type { ServerResponse } from 'node:http';
import { Transform, type Readable } from 'node:stream';

export type RawBody = { kind: 'raw'; bytes: Buffer } | { kind: 'too-large' };

export function teeRequestBody(payload: Readable, response: ServerResponse, limit: number, done: (body: RawBody) => void): Readable {
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
  // A malformed or aborted body ('aborted', a bad chunk size) ends the tee with that error. A content
  // parser reading the tee hears it through its own listener; with no reader, an 'error' event nobody
  // listens to would kill the process. Plain Fastify ignores such a request, and so does the tee.
  tee.on('error', () => undefined);
  payload.on('error', (error) => tee.destroy(error));
  // Once the reply is out, a body nobody reads is drained and dropped, as Node does for a request no
  // one consumed: otherwise the piped socket stalls on backpressure and the connection (and
  // `app.close()`) waits for it forever.
  response.once('finish', () => {
    if (!tee.readableEnded && tee.listenerCount('data') === 0 && tee.listenerCount('readable') === 0) tee.resume();
  });
  return payload.pipe(tee);
}
