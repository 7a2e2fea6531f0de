/**
 * For frameworks on node:http (Express, Nest on Express or on Fastify): holds back everything the
 * handler writes (writeHead, write, end — res.json / res.send / reply.send / pipe all end up there) so
 * the record can be committed BEFORE the client sees a byte, then sends the exact bytes.
 *
 * A response that outgrows `limit` (core's `maxResponseBytes`) is committed early with the prefix it
 * has (core then records "processed, not replayable"), and the rest streams straight through: memory
 * stays bounded and a retry still never runs the handler again.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { HttpResponse } from './http';

type Callback = (error?: Error | null) => void;
type PendingWrite = { end: boolean; chunk: Buffer; callback: Callback | undefined };
type Patched = 'writeHead' | 'write' | 'end' | 'flushHeaders';
const PATCHED: Patched[] = ['writeHead', 'write', 'end', 'flushHeaders'];

export interface NodeResponseCapture {
  /** True until the handler ended the response (or it outgrew the limit and was committed). */
  readonly uncommitted: boolean;
}

/**
 * `commit` receives the response (the whole one, or its prefix when it outgrew `limit`) and resolves
 * when the bytes may go to the client; it must not reject.
 */
export function captureNodeResponse(res: ServerResponse, limit: number, commit: (response: HttpResponse) => Promise<void>): NodeResponseCapture {
  const target = res as unknown as Record<string, unknown>;
  const saved = PATCHED.map((name) => ({ name, own: Object.prototype.hasOwnProperty.call(res, name), value: target[name] }));
  const real = {
    write: res.write as (chunk: Buffer, callback?: Callback) => boolean,
    end: res.end as (chunk: Buffer, callback?: Callback) => ServerResponse,
  };
  const chunks: Buffer[] = [];
  const queued: PendingWrite[] = [];
  let size = 0;
  let state: 'buffering' | 'committing' = 'buffering';
  let started = false;
  let endCallback: Callback | undefined;
  let complete = false;

  const startCommit = () => {
    state = 'committing';
    const body = Buffer.concat(chunks, size);
    const response: HttpResponse = { status: res.statusCode, headers: responseHeaders(res.getHeaders()), body };
    const flush = () => {
      restore();
      if (complete) {
        real.end.call(res, body, endCallback);
        return;
      }
      real.write.call(res, body);
      for (const op of queued) {
        if (op.end) real.end.call(res, op.chunk, op.callback);
        else real.write.call(res, op.chunk, op.callback);
      }
    };
    commit(response).then(flush, flush);
  };

  const restore = () => {
    for (const { name, own, value } of saved) {
      if (own) target[name] = value;
      else delete target[name];
    }
    delete target.headersSent;
  };

  target.writeHead = function writeHead(status: number, reason?: unknown, headers?: unknown) {
    started = true;
    applyWriteHead(res, status, reason, headers);
    return res;
  };
  target.flushHeaders = function flushHeaders() {
    started = true;
  };
  target.write = function write(chunk: unknown, encoding?: unknown, callback?: unknown) {
    started = true;
    const { bytes, done } = normalize(chunk, encoding, callback);
    if (state === 'committing') {
      queued.push({ end: false, chunk: bytes, callback: done });
      return true;
    }
    chunks.push(bytes);
    size += bytes.length;
    if (done) process.nextTick(done);
    if (size > limit) startCommit();
    return true;
  };
  target.end = function end(chunk?: unknown, encoding?: unknown, callback?: unknown) {
    started = true;
    const { bytes, done } = normalize(chunk, encoding, callback);
    if (state === 'committing') {
      queued.push({ end: true, chunk: bytes, callback: done });
      return res;
    }
    chunks.push(bytes);
    size += bytes.length;
    complete = true;
    endCallback = done;
    startCommit();
    return res;
  };
  // While buffered, the response behaves as if its head were sent once the handler wrote anything, so
  // error handlers (finalhandler) do not append their page to a half-written body.
  Object.defineProperty(res, 'headersSent', { configurable: true, get: () => started });

  return {
    get uncommitted() {
      return state === 'buffering';
    },
  };
}

/** write(chunk, encoding?, cb?) / end(chunk?, encoding?, cb?) with every optional argument shape. */
function normalize(chunk: unknown, encoding: unknown, callback: unknown): { bytes: Buffer; done: Callback | undefined } {
  if (typeof chunk === 'function') return { bytes: Buffer.alloc(0), done: chunk as Callback };
  const done = (typeof encoding === 'function' ? encoding : typeof callback === 'function' ? callback : undefined) as Callback | undefined;
  const charset = typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8';
  if (chunk === undefined || chunk === null) return { bytes: Buffer.alloc(0), done };
  if (typeof chunk === 'string') return { bytes: Buffer.from(chunk, charset), done };
  if (chunk instanceof Uint8Array) return { bytes: Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), done };
  throw new TypeError('The "chunk" argument must be of type string, Buffer or Uint8Array');
}

function applyWriteHead(res: ServerResponse, status: number, reason: unknown, headers: unknown): void {
  res.statusCode = status;
  if (typeof reason === 'string') res.statusMessage = reason;
  else headers = reason;
  if (Array.isArray(headers)) {
    // Either [[name, value], ...] or the raw flat form [name, value, name, value].
    const pairs: unknown[][] = Array.isArray(headers[0]) ? (headers as unknown[][]) : [];
    if (pairs.length === 0) for (let i = 0; i + 1 < headers.length; i += 2) pairs.push([headers[i], headers[i + 1]]);
    for (const [name, value] of pairs) res.appendHeader(String(name), value as string | string[]);
  } else if (headers && typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers as OutgoingHttpHeaders)) {
      if (value !== undefined) res.setHeader(name, value);
    }
  }
}

function responseHeaders(headers: OutgoingHttpHeaders): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    result[name.toLowerCase()] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return result;
}

/** Writes a response core decided on (a replay or a problem+json error) to a node response. */
export function sendNodeResponse(res: ServerResponse, response: HttpResponse): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  res.end(Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength));
}
