/**
 * Reads a node:http request body for the fingerprint WITHOUT taking it from the app: the bytes are
 * pushed back into the request stream (`unshift` before the stream emits `end`), so a body parser that
 * runs after the middleware (Koa's and Express' parsers, multer, your own stream reader) still reads the
 * whole body.
 *
 * Why this works: in paused mode we drain the stream with `read()`. Once the HTTP parser has seen the
 * whole message (`req.complete`), the last `read()` schedules `end` for the next tick; unshifting the
 * bytes first leaves data in the buffer, so `end` is not emitted until the next consumer reads them.
 */
import { concatBytes } from './bytes';

/** The parts of node's `IncomingMessage` used here (structural, so core needs no node types). */
export interface NodeReadableRequest {
  headers: Record<string, string | string[] | undefined>;
  readonly complete: boolean;
  readonly destroyed: boolean;
  readonly readableEnded: boolean;
  read(): unknown;
  resume(): unknown;
  listenerCount(event: 'data' | 'readable'): number;
  unshift(chunk: Uint8Array): void;
  on(event: 'readable' | 'error' | 'close', listener: () => void): unknown;
  off(event: 'readable' | 'error' | 'close', listener: () => void): unknown;
}

/** The answer to the request: once it is out, a body nobody read is drained (see `readNodeRequestBody`). */
export interface NodeAnswer {
  once(event: 'finish', listener: () => void): unknown;
}

export type NodeBodyRead =
  | { kind: 'raw'; bytes: Uint8Array }
  /** A parser already read the stream: the raw bytes are gone (fingerprint what it produced). */
  | { kind: 'consumed' }
  | { kind: 'too-large' }
  | { kind: 'aborted' };

/** One shared answer for the usual case (a body parser ran first): nothing is allocated for it. */
const CONSUMED: NodeBodyRead = Object.freeze({ kind: 'consumed' });

/**
 * With `response`: once the answer is out, whatever of the body nobody read is drained and dropped, as
 * Node does for a request no one touched. Having read from the stream ourselves, Node no longer does it,
 * and a body left half read (past `limit`, or never read by the app) would stall the connection on
 * backpressure: its next request never parsed, a graceful `server.close()` waiting for it forever.
 */
export function readNodeRequestBody(req: NodeReadableRequest, limit: number, response?: NodeAnswer): Promise<NodeBodyRead> {
  return Promise.resolve(readNodeRequestBodyNow(req, limit, response));
}

/**
 * `readNodeRequestBody`, answering synchronously when there is nothing to read (a body parser already
 * read it, or the request has none: the usual case), so a middleware need not spend an await on it.
 */
export function readNodeRequestBodyNow(
  req: NodeReadableRequest,
  limit: number,
  response?: NodeAnswer,
): NodeBodyRead | Promise<NodeBodyRead> {
  if (req.readableEnded) return CONSUMED;
  if (!hasBody(req)) return { kind: 'raw', bytes: new Uint8Array(0) };
  response?.once('finish', () => {
    if (!req.readableEnded && !req.destroyed && req.listenerCount('data') === 0 && req.listenerCount('readable') === 0) req.resume();
  });

  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const finish = (result: NodeBodyRead) => {
      req.off('readable', onReadable);
      req.off('error', onGone);
      req.off('close', onGone);
      if (result.kind !== 'aborted' && size > 0) req.unshift(concatBytes(chunks, size));
      resolve(result);
    };
    const onReadable = () => {
      let chunk: unknown;
      while ((chunk = req.read()) !== null) {
        const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : (chunk as Uint8Array);
        chunks.push(bytes);
        size += bytes.byteLength;
        // Stop reading at the limit: what was read goes back, the rest stays in the socket.
        if (size > limit) return finish({ kind: 'too-large' });
      }
      if (req.complete) finish({ kind: 'raw', bytes: concatBytes(chunks, size) });
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
function hasBody(req: NodeReadableRequest): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
