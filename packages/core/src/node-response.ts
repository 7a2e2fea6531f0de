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
 * Per-response capture state, kept under a symbol on the response. The patched methods and the
 * `headersSent` getter are shared module-level functions that read it: V8 gives every response patched
 * with the SAME functions the same hidden class, where a fresh closure per response gave each one a
 * class of its own and made every property access in node's http code (and the framework's) megamorphic.
 */
class Capture implements NodeResponseCapture {
  readonly chunks: Buffer[] = [];
  readonly queued: PendingWrite[] = [];
  size = 0;
  committing = false;
  started = false;
  complete = false;
  restored = false;
  endCallback: Callback | undefined;
  readonly saved: Array<{ name: Patched; value: unknown }>;
  readonly realWrite: (chunk: Buffer, callback?: Callback) => boolean;
  readonly realEnd: (chunk: Buffer, callback?: Callback) => ServerResponse;
  readonly realHeadersSent: () => boolean;

  constructor(
    readonly res: ServerResponse,
    readonly limit: number,
    readonly commit: (response: HttpResponse) => Promise<void>,
  ) {
    const target = res as unknown as Record<Patched, unknown>;
    this.saved = PATCHED.map((name) => ({ name, value: target[name] }));
    this.realWrite = res.write as Capture['realWrite'];
    this.realEnd = res.end as Capture['realEnd'];
    this.realHeadersSent = headersSentGetter(res);
  }

  get uncommitted(): boolean {
    return !this.committing;
  }

  add(bytes: Buffer): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  startCommit(): void {
    this.committing = true;
    const { res } = this;
    const body = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.size);
    const response: HttpResponse = { status: res.statusCode, headers: responseHeaders(res.getHeaders()), body };
    const flush = () => this.flush(body);
    this.commit(response).then(flush, flush);
  }

  private flush(body: Buffer): void {
    // Restoring assigns rather than deletes: a delete drops `res` into V8's slow dictionary mode.
    this.restored = true;
    const target = this.res as unknown as Record<Patched, unknown>;
    for (const { name, value } of this.saved) target[name] = value;
    if (this.complete) {
      this.realEnd.call(this.res, body, this.endCallback);
      return;
    }
    this.realWrite.call(this.res, body);
    for (const op of this.queued) {
      if (op.end) this.realEnd.call(this.res, op.chunk, op.callback);
      else this.realWrite.call(this.res, op.chunk, op.callback);
    }
  }
}

const CAPTURE = Symbol('idem.capture');
type CapturedResponse = ServerResponse & { [CAPTURE]: Capture };
const stateOf = (res: ServerResponse) => (res as CapturedResponse)[CAPTURE];

function patchedWriteHead(this: ServerResponse, status: number, reason?: unknown, headers?: unknown): ServerResponse {
  stateOf(this).started = true;
  applyWriteHead(this, status, reason, headers);
  return this;
}

function patchedFlushHeaders(this: ServerResponse): void {
  stateOf(this).started = true;
}

function patchedWrite(this: ServerResponse, chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
  const state = stateOf(this);
  state.started = true;
  const { bytes, done } = normalize(chunk, encoding, callback);
  if (state.committing) {
    state.queued.push({ end: false, chunk: bytes, callback: done });
    return true;
  }
  state.add(bytes);
  if (done) process.nextTick(done);
  if (state.size > state.limit) state.startCommit();
  return true;
}

function patchedEnd(this: ServerResponse, chunk?: unknown, encoding?: unknown, callback?: unknown): ServerResponse {
  const state = stateOf(this);
  state.started = true;
  const { bytes, done } = normalize(chunk, encoding, callback);
  if (state.committing) {
    state.queued.push({ end: true, chunk: bytes, callback: done });
    return this;
  }
  state.add(bytes);
  state.complete = true;
  state.endCallback = done;
  state.startCommit();
  return this;
}

/**
 * While buffered, the response behaves as if its head were sent once the handler wrote anything, so
 * error handlers (finalhandler) do not append their page to a half-written body; once flushed, node's
 * own getter answers again. One shared descriptor object, for the hidden-class reason above.
 */
const HEADERS_SENT: PropertyDescriptor = {
  configurable: true,
  get(this: ServerResponse) {
    const state = stateOf(this);
    return state.restored ? state.realHeadersSent.call(this) : state.started;
  },
};

/**
 * `commit` receives the response (the whole one, or its prefix when it outgrew `limit`) and resolves
 * when the bytes may go to the client; it must not reject.
 */
export function captureNodeResponse(res: ServerResponse, limit: number, commit: (response: HttpResponse) => Promise<void>): NodeResponseCapture {
  const state = new Capture(res, limit, commit);
  (res as CapturedResponse)[CAPTURE] = state;
  res.writeHead = patchedWriteHead as ServerResponse['writeHead'];
  res.flushHeaders = patchedFlushHeaders;
  res.write = patchedWrite as ServerResponse['write'];
  res.end = patchedEnd as ServerResponse['end'];
  Object.defineProperty(res, 'headersSent', HEADERS_SENT);
  return state;
}

const headersSentGetters = new WeakMap<object, () => boolean>();

/** node's own `headersSent` getter, found once per prototype. */
function headersSentGetter(res: ServerResponse): () => boolean {
  const proto = Object.getPrototypeOf(res) as object;
  let getter = headersSentGetters.get(proto);
  if (!getter) {
    for (let at: object | null = proto; at && !getter; at = Object.getPrototypeOf(at) as object | null) {
      getter = Object.getOwnPropertyDescriptor(at, 'headersSent')?.get as (() => boolean) | undefined;
    }
    getter ??= function (this: ServerResponse) {
      return this.writableEnded;
    };
    headersSentGetters.set(proto, getter);
  }
  return getter;
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
