/**
 * Reads the raw request body for the fingerprint WITHOUT taking it from the app: the bytes are pushed
 * back into the request stream (`unshift` before the stream emits `end`), so a body parser mounted
 * after the middleware (express.json(), express.raw(), multer) still reads the whole body.
 *
 * Why this works: in paused mode we drain the stream with `read()`. Once the HTTP parser has seen the
 * whole message (`req.complete`), the last `read()` schedules `end` for the next tick; unshifting the
 * bytes first leaves data in the buffer, so `end` is not emitted until the next consumer reads them.
 */
import type { IncomingMessage } from 'node:http';

export type BodyRead =
  | { kind: 'parsed'; value: unknown }
  | { kind: 'raw'; bytes: Buffer }
  | { kind: 'too-large' }
  | { kind: 'aborted' };

interface ParsedRequest extends IncomingMessage {
  body?: unknown;
  /** Set by body-parser 1.x (Express 4) once it consumed the stream. */
  _body?: boolean;
}

export function readRequestBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  const parsed = req as ParsedRequest;
  // A parser already consumed the stream: the raw bytes are gone, fingerprint what it produced.
  if (parsed._body === true || req.readableEnded) return Promise.resolve({ kind: 'parsed', value: parsed.body });
  if (!hasBody(req)) return Promise.resolve({ kind: 'raw', bytes: Buffer.alloc(0) });

  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyRead) => {
      req.off('readable', onReadable);
      req.off('error', onGone);
      req.off('close', onGone);
      if (result.kind !== 'aborted' && size > 0) req.unshift(Buffer.concat(chunks, size));
      resolve(result);
    };
    const onReadable = () => {
      let chunk: Buffer | string | null;
      while ((chunk = req.read() as Buffer | string | null) !== null) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        chunks.push(bytes);
        size += bytes.length;
        // Stop reading at the limit: what was read goes back, the rest stays in the socket.
        if (size > limit) return finish({ kind: 'too-large' });
      }
      if (req.complete) finish({ kind: 'raw', bytes: Buffer.concat(chunks, size) });
    };
    // The client went away mid-body: nobody is left to answer.
    const onGone = () => {
      if (!req.complete || req.destroyed) finish({ kind: 'aborted' });
    };
    req.on('readable', onReadable);
    req.on('error', onGone);
    req.on('close', onGone);
  });
}

/** Same rule as the body parsers (type-is `hasBody`): a body is announced by its length or chunking. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
