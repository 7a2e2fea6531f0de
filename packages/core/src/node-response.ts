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

export interface NodeResponseCapture {
  /** True until the handler ended the response (or it outgrew the limit and was committed). */
  readonly uncommitted: boolean;
}

/** Where a captured response goes. */
export interface NodeResponseSink {
  /**
   * Receives the response (the whole one, or its prefix when it outgrew the limit) and resolves when
   * the bytes may go to the client, or resolves another response to send instead (what
   * `execution.finish()` answers when the handler's transaction was rolled back); it must not reject.
   */
  commit(response: HttpResponse): Promise<HttpResponse | undefined | void>;
  /** The connection closed before the response was committed (the client hung up). */
  clientGone?(): void;
}

/**
 * How the response is intercepted, and why this way. The patched methods and the `headersSent` getter
 * are shared module-level functions, and the per-response state sits in a WeakMap: adding a property
 * to a node response whose prototype the framework replaced (Express does, per request) costs V8 a new
 * hidden class each time (~3 us per property measured), and a fresh closure per response made every
 * response's class different. They are assigned on the instance, never on a patched prototype: a
 * mounted Express sub-app sets the response's prototype again, which would silently drop a
 * prototype-level patch and let the response out uncommitted.
 */
class Capture implements NodeResponseCapture {
  /**
   * The body so far. Nothing is allocated for the common response, one `end(body)`: `first` holds it,
   * and the array exists only from a second chunk on; `queued` only once writes arrive mid-commit.
   */
  first: Buffer | undefined = undefined;
  chunks: Buffer[] | undefined = undefined;
  queued: PendingWrite[] | undefined = undefined;
  size = 0;
  committing = false;
  started = false;
  complete = false;
  restored = false;
  /** A replacement answer was sent: the handler's later writes go nowhere. */
  discarding = false;
  endCallback: Callback | undefined;
  /** The methods in force before the capture, to call once flushed (and to put back on an instance). */
  readonly real: Record<Patched, (...args: unknown[]) => unknown>;
  readonly realHeadersSent: () => boolean;

  constructor(
    readonly res: ServerResponse,
    readonly limit: number,
    readonly sink: NodeResponseSink,
  ) {
    this.real = realMethods(res);
    this.realHeadersSent = headersSentGetter(res);
  }

  get uncommitted(): boolean {
    return !this.committing;
  }

  add(bytes: Buffer): void {
    if (this.chunks) this.chunks.push(bytes);
    else if (this.first === undefined) this.first = bytes;
    else this.chunks = [this.first, bytes];
    this.size += bytes.length;
  }

  queue(op: PendingWrite): void {
    (this.queued ??= []).push(op);
  }

  startCommit(): void {
    this.committing = true;
    const { res } = this;
    const body = this.chunks ? Buffer.concat(this.chunks, this.size) : (this.first ?? EMPTY);
    const response: HttpResponse = { status: res.statusCode, headers: responseHeaders(res.getHeaders()), body };
    this.sink.commit(response).then(
      (replacement) => (replacement ? this.replace(replacement) : this.flush(body)),
      () => this.flush(body),
    );
  }

  /**
   * Sends `replacement` instead of what the handler wrote (its transaction was rolled back, so its
   * answer would describe writes that never happened): the handler's status, headers and bytes are
   * dropped, and whatever it still writes is swallowed (its callbacks called), never sent.
   */
  private replace(replacement: HttpResponse): void {
    this.discarding = true;
    const { res } = this;
    // node's end() writes the head through this.writeHead: the real one from here on. write and end
    // stay patched, discarding, since a write after the end would emit an unheard 'error' on `res`.
    Object.assign(res, { writeHead: this.real.writeHead, flushHeaders: this.real.flushHeaders });
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.statusCode = replacement.status;
    res.statusMessage = '';
    for (const [name, value] of Object.entries(replacement.headers)) res.setHeader(name, value);
    const body = Buffer.from(replacement.body.buffer, replacement.body.byteOffset, replacement.body.byteLength);
    this.real.end.call(res, body, this.complete ? this.endCallback : undefined);
    for (const op of this.queued ?? []) if (op.callback) process.nextTick(op.callback);
    this.queued = undefined;
  }

  private flush(body: Buffer): void {
    // Put the originals back by assignment, not delete: a delete drops `res` into slow dictionary mode.
    this.restored = true;
    Object.assign(this.res, this.real);
    const { write, end } = this.real;
    if (this.complete) {
      end.call(this.res, body, this.endCallback);
      return;
    }
    write.call(this.res, body);
    for (const op of this.queued ?? []) {
      if (op.end) end.call(this.res, op.chunk, op.callback);
      else write.call(this.res, op.chunk, op.callback);
    }
  }
}

const captures = new WeakMap<object, Capture>();
const EMPTY = Buffer.alloc(0);
type RealMethods = Record<Patched, (...args: unknown[]) => unknown>;
const prototypeMethods = new WeakMap<object, RealMethods>();

/**
 * The methods in force before the capture. When the response has none of its own (the usual case:
 * they come from its prototype), one record per prototype serves every response; a response some other
 * layer already patched (compression, a logger) gets its own.
 */
function realMethods(res: ServerResponse): RealMethods {
  const target = res as unknown as RealMethods;
  const own =
    Object.hasOwn(res, 'write') || Object.hasOwn(res, 'end') || Object.hasOwn(res, 'writeHead') || Object.hasOwn(res, 'flushHeaders');
  const proto = Object.getPrototypeOf(res) as object;
  let methods = own ? undefined : prototypeMethods.get(proto);
  if (!methods) {
    methods = { writeHead: target.writeHead, write: target.write, end: target.end, flushHeaders: target.flushHeaders };
    if (!own) prototypeMethods.set(proto, methods);
  }
  return methods;
}

/** The capture in force for this response, or undefined once it was flushed (calls go to the originals). */
function active(res: ServerResponse): Capture | undefined {
  const state = captures.get(res);
  return state && !state.restored ? state : undefined;
}

/** After the flush the originals are back on the instance; a call still routed here goes to them. */
function original(res: ServerResponse, name: Patched, args: IArguments): unknown {
  const state = captures.get(res) as Capture;
  return state.real[name].apply(res, Array.from(args));
}

function patchedWriteHead(this: ServerResponse, status: number, reason?: unknown, headers?: unknown): unknown {
  const state = active(this);
  if (!state) return original(this, 'writeHead', arguments);
  state.started = true;
  applyWriteHead(this, status, reason, headers);
  return this;
}

function patchedFlushHeaders(this: ServerResponse): unknown {
  const state = active(this);
  if (!state) return original(this, 'flushHeaders', arguments);
  state.started = true;
  return undefined;
}

function patchedWrite(this: ServerResponse, chunk: unknown, encoding?: unknown, callback?: unknown): unknown {
  const state = active(this);
  if (!state) return original(this, 'write', arguments);
  state.started = true;
  const done = callbackOf(chunk, encoding, callback);
  const bytes = bytesOf(chunk, encoding);
  if (state.discarding) {
    if (done) process.nextTick(done);
    return true;
  }
  if (state.committing) {
    state.queue({ end: false, chunk: bytes, callback: done });
    return true;
  }
  state.add(bytes);
  if (done) process.nextTick(done);
  if (state.size > state.limit) state.startCommit();
  return true;
}

function patchedEnd(this: ServerResponse, chunk?: unknown, encoding?: unknown, callback?: unknown): unknown {
  const state = active(this);
  if (!state) return original(this, 'end', arguments);
  state.started = true;
  const done = callbackOf(chunk, encoding, callback);
  const bytes = bytesOf(chunk, encoding);
  if (state.discarding) {
    if (done) process.nextTick(done);
    return this;
  }
  if (state.committing) {
    state.queue({ end: true, chunk: bytes, callback: done });
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
 * own getter answers again.
 */
function patchedHeadersSent(this: ServerResponse): boolean {
  const state = captures.get(this) as Capture;
  return state.restored ? state.realHeadersSent.call(this) : state.started;
}

/** A 'close' listener shared by every capture: `this` is the response. */
function closedBeforeCommit(this: ServerResponse): void {
  const state = captures.get(this);
  if (state && !state.committing) state.sink.clientGone?.();
}

const HEADERS_SENT: PropertyDescriptor = { configurable: true, get: patchedHeadersSent };

/** Holds back what the handler writes to `res` until `sink.commit` let it go (see NodeResponseSink). */
export function captureNodeResponse(res: ServerResponse, limit: number, sink: NodeResponseSink): NodeResponseCapture {
  const state = new Capture(res, limit, sink);
  captures.set(res, state);
  // `on`, not `once`: a response closes once, and `once` would wrap the listener in two more objects.
  if (sink.clientGone) res.on('close', closedBeforeCommit);

  leaveOwnHiddenClass(res);
  // Plain assignments, always in this order: every response takes the same hidden-class transitions.
  const target = res as unknown as RealMethods;
  target.writeHead = patchedWriteHead as RealMethods['writeHead'];
  target.flushHeaders = patchedFlushHeaders;
  target.write = patchedWrite;
  target.end = patchedEnd;
  Object.defineProperty(res, 'headersSent', HEADERS_SENT);
  return state;
}

const TRANSITION_PROBE = Symbol('idem.transition-probe');

/**
 * Before the five properties the capture adds. A response built the usual way (node, Fastify, Koa)
 * shares its hidden class with every other response, and the additions follow transitions they all
 * share: nothing is done to it (a property added and deleted again rolls it back to where it was). On
 * a response whose prototype was replaced (Express does it per request) the hidden class is the
 * response's own, with no transitions to share: V8 would build a new one for each addition, copying
 * the ~30 property descriptors each time (~5 us apiece, and garbage). There deleting and re-adding a
 * property it already has (`sendDate`, same value) moves it to dictionary mode once, where the
 * additions are plain hash inserts: measured, the five additions go from ~25 us to ~4 us per response
 * under load, the delete costs ~1 us less than adding a probe property first, and what node reads
 * from the response afterwards is no slower.
 */
function leaveOwnHiddenClass(res: ServerResponse): void {
  const own = res as unknown as Record<string | symbol, unknown>;
  const replaced = Object.getPrototypeOf(res) !== (res.constructor as { prototype?: unknown } | undefined)?.prototype;
  if (replaced && Object.hasOwn(own, 'sendDate')) {
    const sendDate = own.sendDate;
    delete own.sendDate;
    own.sendDate = sendDate;
    return;
  }
  own[TRANSITION_PROBE] = undefined;
  delete own[TRANSITION_PROBE];
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

/** The callback of write(chunk, encoding?, cb?) / end(chunk?, encoding?, cb?), in any argument shape. */
function callbackOf(chunk: unknown, encoding: unknown, callback: unknown): Callback | undefined {
  if (typeof chunk === 'function') return chunk as Callback;
  return (typeof encoding === 'function' ? encoding : typeof callback === 'function' ? callback : undefined) as Callback | undefined;
}

/** The chunk's bytes (a view, never a copy, of a Buffer or Uint8Array); the shared empty Buffer for none. */
function bytesOf(chunk: unknown, encoding: unknown): Buffer {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return EMPTY;
  if (typeof chunk === 'string') return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
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

/**
 * `getHeaders()` names are lowercase already; values become strings (a number such as Content-Length
 * too). `getHeaders()` hands out a fresh object each call, so it is converted in place, not copied (an
 * array value is replaced by a new one, never changed: node keeps that array).
 */
function responseHeaders(headers: OutgoingHttpHeaders): Record<string, string | string[]> {
  for (const name in headers) {
    const value = headers[name];
    if (typeof value === 'string') continue;
    if (value === undefined) delete headers[name];
    else headers[name] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return headers as Record<string, string | string[]>;
}

/** Writes a response core decided on (a replay or a problem+json error) to a node response. */
export function sendNodeResponse(res: ServerResponse, response: HttpResponse): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  res.statusCode = response.status;
  // for-in over the headers' own names: no [name, value] pair per header.
  const { headers } = response;
  for (const name in headers) if (Object.hasOwn(headers, name)) res.setHeader(name, headers[name] as string | string[]);
  res.end(Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength));
}
