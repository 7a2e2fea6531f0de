/**
 * The HTTP decision every middleware shares. Given a neutral request it answers one of:
 * - `pass`: not protected (method, `skip`, or no key when keys are optional): run the handler as usual;
 * - `respond`: answer with this response (a replay, or a problem+json error) without running the handler;
 * - `execute`: run the handler, then hand its response to `execution.finish()` BEFORE sending it, so the
 *   record is committed before the client can see an answer (or `execution.abort()` if it failed).
 * Every decision carries the request's `outcome`, which `finish()` updates once the record is written.
 */
import { callAcquire, settleAcquire, type Acquisition } from './acquisition';
import { decodeResponse } from './codec';
import { IdempotencyError, KeyGenerationError, MissingKeyError, ResponseNotStoredError, StorageError, toStorageError } from './errors';
import { LeasedExecution, UnprotectedExecution, type Execution, type ExecutionContext } from './execution';
import { createFingerprinter, type FingerprintFunction } from './fingerprint';
import type { HttpResponse, IdempotencyRequest } from './http';
import { deriveKey, keyFromHeader, validateKey, type KeyStrategy } from './keys';
import { storageKey } from './namespace';
import { isMethodProtected, resolveMethods, type ProtectedMethods } from './methods';
import { DEFAULTS, type ErrorHandlerResult, type IdempotencyOptions } from './options';
import { unprotectedOutcome, type IdempotencyOutcome } from './outcome';
import { problemResponse } from './problem';
import { checkReplayable, NOT_STORED_MARKER } from './replayable';
import { createHeaderFilter, filterHeaders } from './response-headers';
import { IdempotencyRunner } from './runner';
import { standaloneTransaction, type TransactionRunner } from './transaction';
import { fromWebResponse, isWebResponse } from './web-response';

export type Decision =
  | { action: 'pass'; outcome: IdempotencyOutcome }
  /** `response` may be shared between requests (a replay is decoded once per record): never mutate it. */
  | { action: 'respond'; response: HttpResponse; outcome: IdempotencyOutcome }
  | { action: 'execute'; execution: Execution; outcome: IdempotencyOutcome };

export type { Execution } from './execution';

export const REPLAYED_HEADER = 'idempotent-replayed';

/** The settings a manager resolved from its options (defaults applied), as `manager.settings`. */
export interface ResolvedSettings {
  ttl: number;
  lockTtl: number;
  header: string;
  methods: ProtectedMethods;
  requireKey: boolean;
  onConflict: 'reject' | 'wait';
  waitTimeout: number;
  conflictRetryAfter: number;
  failOpen: boolean;
  maxResponseBytes: number;
  hashKeys: boolean;
}

export class Idempotency<Raw = unknown> extends IdempotencyRunner<Raw> {
  /** The resolved settings (gopotency's `Config()`), frozen: read them, e.g. to log the effective configuration. */
  readonly settings: Readonly<ResolvedSettings>;
  private readonly keyStrategy: KeyStrategy<Raw>;
  private readonly fingerprinter: FingerprintFunction<Raw>;
  private readonly executionContext: ExecutionContext<Raw>;
  private readonly decoded = new WeakMap<Uint8Array, HttpResponse>();
  /**
   * The transaction a handler gets when its request is passed through (no key, an unprotected method,
   * `skip`): it commits on its own when `work` resolves. Expose it where `execution.transaction` is
   * exposed, so a handler's code is the same whether or not idem protects the request.
   */
  readonly passTransaction: TransactionRunner;

  constructor(options: IdempotencyOptions<Raw>, extraOptionNames: readonly string[] = []) {
    super(options, undefined, extraOptionNames);
    const header = options.header ?? DEFAULTS.header;
    this.settings = Object.freeze({
      ttl: this.ttl,
      lockTtl: this.lockTtl,
      header,
      methods: resolveMethods(options.methods),
      requireKey: options.requireKey ?? false,
      onConflict: options.onConflict ?? 'reject',
      waitTimeout: this.acquireSettings.waitTimeout,
      conflictRetryAfter: this.acquireSettings.conflictRetryAfter,
      failOpen: options.failOpen ?? false,
      maxResponseBytes: options.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
      hashKeys: options.hashKeys ?? false,
    });
    this.keyStrategy = options.key ?? (keyFromHeader(header) as KeyStrategy<Raw>);
    this.fingerprinter = createFingerprinter(options.fingerprint);
    this.passTransaction = standaloneTransaction(this.store);
    const keep = options.keepResponseHeaders;
    // A throwing predicate keeps nothing it was asked about: it guards what a record may hold.
    const keepHeader = createHeaderFilter(
      typeof keep === 'function' ? (name) => this.callbacks.attempt('keepResponseHeaders', () => keep(name) === true, false) : keep,
    );
    const shouldStore = options.shouldStore ?? storeBelow500;
    this.executionContext = {
      store: this.store,
      lockTtl: this.lockTtl,
      maxResponseBytes: this.settings.maxResponseBytes,
      // A throwing `shouldStore` stores nothing: the client still gets its answer, a retry runs again.
      shouldStore: (response, clientKey) => this.callbacks.attempt('shouldStore', () => shouldStore(response) === true, false, clientKey),
      keptHeaders: (headers) => filterHeaders(headers, keepHeader),
      errorResponse: (error, req) => this.errorResponse(error, req),
      reportStoreError: (error, clientKey, key, failOpen) => this.reportStoreError(error, clientKey, key, failOpen),
    };
  }

  /** Whether requests with this method are protected (gopotency's `IsMethodAllowed()`). */
  isMethodAllowed(method: string): boolean {
    return isMethodProtected(this.settings.methods, method);
  }

  /**
   * Decides what to do with a request; never throws (errors become problem responses). One async
   * function for the whole decision, the store's `acquire` awaited in it directly: every async layer
   * between the middleware and the store costs each first execution a promise and its reactions.
   */
  async handle(request: IdempotencyRequest, req: Raw = (request.raw ?? request) as Raw): Promise<Decision> {
    const outcome = unprotectedOutcome();
    try {
      if (!this.isMethodAllowed(request.method)) return { action: 'pass', outcome };
      const { skip, scope } = this.options;
      // The classifiers answer synchronously as a rule: an answer is awaited only when it is a promise.
      if (skip) {
        let skipped = this.callbacks.classify('skip', () => skip(req));
        if (skipped instanceof Promise) skipped = await skipped;
        if (skipped) return { action: 'pass', outcome };
      }
      let clientKey = deriveKey(this.keyStrategy, req, request);
      if (clientKey instanceof Promise) clientKey = await clientKey;
      if (clientKey === undefined) {
        if (this.settings.requireKey) throw new MissingKeyError(this.settings.header);
        return { action: 'pass', outcome };
      }
      validateKey(clientKey, this.guardedValidator(clientKey));
      outcome.key = clientKey;
      let scopeValue = scope ? this.callbacks.classify('scope', () => scope(req)) : undefined;
      if (scopeValue instanceof Promise) scopeValue = await scopeValue;
      if (scopeValue !== undefined && typeof scopeValue !== 'string')
        throw new KeyGenerationError(`The idem callback \`scope\` returned ${typeof scopeValue}, not a string`);
      const key = storageKey(clientKey, scopeValue, this.settings.hashKeys);
      let fingerprint = this.callbacks.classify('fingerprint', () => this.fingerprinter(req, request));
      if (fingerprint instanceof Promise) fingerprint = await fingerprint;
      if (typeof fingerprint !== 'string')
        throw new KeyGenerationError(`The idem callback \`fingerprint\` returned ${typeof fingerprint}, not a string`);
      const settings = this.acquireSettings;
      const now = settings.now();
      let acquisition: Acquisition | Promise<Acquisition>;
      try {
        const result = await callAcquire(this.store, key, fingerprint, settings, now);
        acquisition = settleAcquire(
          result,
          this.store,
          key,
          fingerprint,
          settings,
          now,
          this.acquireEvents(clientKey, key, req),
          clientKey,
        );
        if (acquisition instanceof Promise) acquisition = await acquisition;
      } catch (error) {
        return this.storeFailed(toStorageError(error, 'acquire'), clientKey, key, outcome, req);
      }
      return this.decision(acquisition, clientKey, key, outcome, req);
    } catch (error) {
      outcome.protected = error instanceof IdempotencyError && PROTECTED_ANSWERS.has(error.code);
      // Only a bug lands here with anything but an IdempotencyError: still a clean 400, never a throw.
      const known =
        error instanceof IdempotencyError ? error : new KeyGenerationError('The request could not be classified', { cause: error });
      return { action: 'respond', response: await this.errorResponse(known, req), outcome };
    }
  }

  /** A refusal (mismatch, in progress) is rethrown; a store failure runs the handler unprotected under `failOpen`. */
  private storeFailed(error: IdempotencyError, clientKey: string, key: string, outcome: IdempotencyOutcome, req: Raw): Decision {
    if (!(error instanceof StorageError)) throw error;
    this.reportStoreError(error, clientKey, key, this.settings.failOpen);
    if (!this.settings.failOpen) throw error;
    return { action: 'execute', execution: new UnprotectedExecution(this.executionContext, key, clientKey, req), outcome };
  }

  /** Run under the lease, or replay the completed record. */
  private decision(acquisition: Acquisition, clientKey: string, key: string, outcome: IdempotencyOutcome, req: Raw): Decision {
    outcome.protected = true;
    if (acquisition.outcome === 'acquired') {
      const execution = new LeasedExecution(this.executionContext, acquisition.lease, clientKey, outcome, req);
      this.emit('miss', clientKey, key, req);
      return { action: 'execute', execution, outcome };
    }
    let response: HttpResponse;
    try {
      response = this.replay(acquisition.record.response);
    } catch (error) {
      if (error instanceof StorageError) this.reportStoreError(error, clientKey, key, false);
      throw error;
    }
    outcome.replayed = true;
    this.emit('hit', clientKey, key, req);
    return { action: 'respond', response, outcome };
  }

  /** The response for an error: `errorHandler`'s if it gives a usable one, else problem+json. */
  async errorResponse(error: IdempotencyError, req: Raw): Promise<HttpResponse> {
    const handler = this.options.errorHandler;
    if (handler) {
      const custom = await this.callbacks.attemptAsync('errorHandler', () => resolveErrorResponse(handler(error, req)), undefined);
      if (custom) return custom;
    }
    return problemResponse(error, retryAfterFor(error, this.lockTtl), this.options.docsUrl);
  }

  /**
   * The stored response, ready to send. Throws ResponseNotStoredError for a key whose response was too
   * large to keep, and StorageError (503) for a record that cannot be replayed: no response, a payload
   * that does not decode, a status outside 200–599 or a malformed header.
   */
  private replay(payload: Uint8Array | undefined): HttpResponse {
    if (payload === undefined) throw new StorageError('The completed record holds no response');
    // A store that hands out the same bytes each time (memory) is decoded once per record.
    const cached = this.decoded.get(payload);
    if (cached) return cached;
    let response: HttpResponse;
    try {
      response = decodeResponse(payload);
    } catch (error) {
      throw toStorageError(error, 'decode');
    }
    if (response.headers?.[NOT_STORED_MARKER] !== undefined) throw new ResponseNotStoredError();
    checkReplayable(response);
    // Both objects are the decoder's own, fresh from this payload: marked in place, not copied.
    response.headers[REPLAYED_HEADER] = 'true';
    this.decoded.set(payload, response);
    return response;
  }
}

/** The default `shouldStore`: failures (5xx) are not kept, so a retry runs again. */
const storeBelow500 = (response: HttpResponse) => response.status < 500;

/** Errors answered from the key's record (or its live lease): the request was protected. */
const PROTECTED_ANSWERS = new Set(['REQUEST_IN_PROGRESS', 'LOCK_TIMEOUT', 'REQUEST_MISMATCH', 'RESPONSE_NOT_STORED']);

/** 409s carry the retry hint computed from the lease; 503s one lease period; others none. */
function retryAfterFor(error: IdempotencyError, lockTtl: number): number | undefined {
  const hinted = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
  if (hinted !== undefined) return hinted;
  if (error.status === 503) return Math.ceil(lockTtl / 1000);
  return undefined;
}

/** An errorHandler's answer as core's response: a Web `Response` is read; anything unusable throws. */
async function resolveErrorResponse(result: ErrorHandlerResult | Promise<ErrorHandlerResult>): Promise<HttpResponse | undefined> {
  const value = await result;
  if (value === undefined || value === null) return undefined;
  if (isWebResponse(value)) return fromWebResponse(value);
  const { status, headers, body } = value as Partial<HttpResponse>;
  if (!Number.isInteger(status) || (status as number) < 200 || (status as number) > 599)
    throw new TypeError(`errorHandler returned status ${String(status)}`);
  if (!(body instanceof Uint8Array)) throw new TypeError('errorHandler returned a body that is not a Uint8Array');
  return { status: status as number, headers: headers ?? {}, body };
}
