/**
 * The HTTP decision every middleware shares. Given a neutral request it answers one of:
 * - `pass`: not protected (method, `skip`, or no key when keys are optional): run the handler as usual;
 * - `respond`: answer with this response (a replay, or a problem+json error) without running the handler;
 * - `execute`: run the handler, then hand its response to `execution.finish()` BEFORE sending it, so the
 *   record is committed before the client can see an answer (or `execution.abort()` if it failed).
 * Every decision carries the request's `outcome`, which `finish()` updates once the record is written.
 */
import { acquireKey } from './acquisition';
import { decodeResponse, encodeResponse } from './codec';
import {
  IdempotencyError,
  KeyGenerationError,
  LeaseLostError,
  MissingKeyError,
  ResponseNotStoredError,
  StorageError,
  toStorageError,
} from './errors';
import { createFingerprinter, type FingerprintFunction } from './fingerprint';
import type { HttpResponse, IdempotencyRequest } from './http';
import { deriveKey, keyFromHeader, validateKey, type KeyStrategy } from './keys';
import { storageKey } from './namespace';
import type { Lease } from './lease';
import { isMethodProtected, resolveMethods, type ProtectedMethods } from './methods';
import { DEFAULTS, type ErrorHandlerResult, type IdempotencyOptions } from './options';
import { unprotectedOutcome, type IdempotencyOutcome } from './outcome';
import { problemResponse } from './problem';
import { checkReplayable, NOT_STORED_MARKER } from './replayable';
import { createHeaderFilter, filterHeaders } from './response-headers';
import { IdempotencyRunner } from './runner';
import { ExecutionTransaction, standaloneTransaction, type TransactionRunner } from './transaction';
import { fromWebResponse, isWebResponse } from './web-response';

export type Decision =
  | { action: 'pass'; outcome: IdempotencyOutcome }
  /** `response` may be shared between requests (a replay is decoded once per record): never mutate it. */
  | { action: 'respond'; response: HttpResponse; outcome: IdempotencyOutcome }
  | { action: 'execute'; execution: Execution; outcome: IdempotencyOutcome };

/** A handler run under a lease (or unprotected, when the store failed and `failOpen` is on). */
export interface Execution {
  /** The storage key, for logs (the client's key is `outcome.key`). */
  readonly key: string;
  /** False when the store failed and `failOpen` let the handler run without protection. */
  readonly protected: boolean;
  /**
   * Runs `work` in a database transaction that commits together with the record, in `finish` (the
   * store must offer transactions: see transaction.ts). Annotate `tx` with your driver's type.
   */
  transaction: TransactionRunner;
  /**
   * Records the response if it should be stored; resolves to whether it was. Never throws. When it
   * resolves a `response`, send that instead of the handler's: the handler's transaction was rolled
   * back (lease lost: 409; database failure: 503), so its answer would describe writes that never happened.
   */
  finish(response: HttpResponse): Promise<{ stored: boolean; response?: HttpResponse }>;
  /** The handler failed or the client went away: roll its transaction back and release the key so a retry runs again. Never throws. */
  abort(): Promise<void>;
}

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
  private readonly keepHeader: (name: string) => boolean;
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
    this.keepHeader = createHeaderFilter(
      typeof keep === 'function' ? (name) => this.callbacks.attempt('keepResponseHeaders', () => keep(name) === true, false) : keep,
    );
  }

  /** Whether requests with this method are protected (gopotency's `IsMethodAllowed()`). */
  isMethodAllowed(method: string): boolean {
    return isMethodProtected(this.settings.methods, method);
  }

  /** Decides what to do with a request; never throws (errors become problem responses). */
  async handle(request: IdempotencyRequest, req: Raw = (request.raw ?? request) as Raw): Promise<Decision> {
    const outcome = unprotectedOutcome();
    try {
      return await this.decide(request, req, outcome);
    } catch (error) {
      outcome.protected = error instanceof IdempotencyError && PROTECTED_ANSWERS.has(error.code);
      // Only a bug lands here with anything but an IdempotencyError: still a clean 400, never a throw.
      const known =
        error instanceof IdempotencyError ? error : new KeyGenerationError('The request could not be classified', { cause: error });
      return { action: 'respond', response: await this.errorResponse(known, req), outcome };
    }
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

  private async decide(request: IdempotencyRequest, req: Raw, outcome: IdempotencyOutcome): Promise<Decision> {
    if (!this.isMethodAllowed(request.method)) return { action: 'pass', outcome };
    const { skip, scope } = this.options;
    // The classifiers answer synchronously as a rule: an answer is awaited only when it is a promise
    // (every await allocates, and every first execution takes this path).
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

    let acquisition;
    try {
      acquisition = await acquireKey(
        this.store,
        key,
        fingerprint,
        this.acquireSettings,
        this.acquireEvents(clientKey, key, req),
        clientKey,
      );
    } catch (error) {
      if (error instanceof StorageError && this.settings.failOpen) {
        this.reportStoreError(error, clientKey, key, true);
        return { action: 'execute', execution: this.unprotectedExecution(clientKey, key, req), outcome };
      }
      if (error instanceof StorageError) this.reportStoreError(error, clientKey, key, false);
      throw error;
    }
    if (acquisition.outcome === 'completed') {
      let response: HttpResponse;
      try {
        response = this.replay(acquisition.record.response);
      } catch (error) {
        if (error instanceof StorageError) this.reportStoreError(error, clientKey, key, false);
        throw error;
      }
      outcome.protected = true;
      outcome.replayed = true;
      this.emit('hit', clientKey, key, req);
      return { action: 'respond', response, outcome };
    }
    outcome.protected = true;
    const execution = this.execution(acquisition.lease, clientKey, outcome, req);
    this.emit('miss', clientKey, key, req);
    return { action: 'execute', execution, outcome };
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
    const replayed = { ...response, headers: { ...response.headers, [REPLAYED_HEADER]: 'true' } };
    this.decoded.set(payload, replayed);
    return replayed;
  }

  private execution(lease: Lease, clientKey: string, outcome: IdempotencyOutcome, req: Raw): Execution {
    const transaction = new ExecutionTransaction(this.store);
    return {
      key: lease.key,
      protected: true,
      transaction: (work, options) => transaction.run(work, options),
      abort: async () => {
        await transaction.rollback();
        await lease.release();
      },
      finish: async (response) => {
        if (!this.shouldStore(response, clientKey)) {
          await transaction.rollback();
          await lease.release();
          return { stored: false };
        }
        const headers = filterHeaders(response.headers, this.keepHeader);
        let payload = encodeResponse({ status: response.status, headers, body: response.body });
        // Too large to keep: the key is still marked done (replayed as 409 RESPONSE_NOT_STORED) so
        // that a retry can never run the handler a second time.
        const tooLarge = payload.length > this.settings.maxResponseBytes;
        if (tooLarge) payload = encodeResponse(notStoredRecord());
        const inTransaction = transaction.active;
        try {
          const owned = await transaction.complete(lease, payload);
          if (!owned && inTransaction)
            return { stored: false, response: await this.errorResponse(new LeaseLostError(Math.ceil(this.lockTtl / 1000)), req) };
          outcome.stored = owned && !tooLarge;
          return { stored: outcome.stored };
        } catch (error) {
          // Without a transaction the handler's effects happened: its answer goes out, and the lease is
          // kept (not released) so retries get 409 until it expires rather than running it again at once.
          // With one, they were rolled back: the client must not be told they happened.
          const storageError = toStorageError(error, 'complete');
          this.reportStoreError(storageError, clientKey, lease.key, false);
          return inTransaction ? { stored: false, response: await this.errorResponse(storageError, req) } : { stored: false };
        }
      },
    };
  }

  /** The store failed and `failOpen` runs the handler anyway; its transaction (if any) commits on its own. */
  private unprotectedExecution(clientKey: string, key: string, req: Raw): Execution {
    const transaction = new ExecutionTransaction(this.store);
    return {
      key,
      protected: false,
      transaction: (work, options) => transaction.run(work, options),
      abort: () => transaction.rollback(),
      finish: async (response) => {
        if (!transaction.active) {
          transaction.end();
          return { stored: false };
        }
        if (!this.shouldStore(response, clientKey)) {
          await transaction.rollback();
          return { stored: false };
        }
        try {
          await transaction.commit();
          return { stored: false };
        } catch (error) {
          const storageError = toStorageError(error, 'commit');
          this.reportStoreError(storageError, clientKey, key, true);
          return { stored: false, response: await this.errorResponse(storageError, req) };
        }
      },
    };
  }

  /** `shouldStore` (default: below 500). A throwing one stores nothing: the client still gets its answer, a retry runs again. */
  private shouldStore(response: HttpResponse, clientKey: string): boolean {
    const shouldStore = this.options.shouldStore ?? storeBelow500;
    return this.callbacks.attempt('shouldStore', () => shouldStore(response) === true, false, clientKey);
  }
}

/** The default `shouldStore`: failures (5xx) are not kept, so a retry runs again. */
const storeBelow500 = (response: HttpResponse) => response.status < 500;

/** Errors answered from the key's record (or its live lease): the request was protected. */
const PROTECTED_ANSWERS = new Set(['REQUEST_IN_PROGRESS', 'LOCK_TIMEOUT', 'REQUEST_MISMATCH', 'RESPONSE_NOT_STORED']);

/** What a key whose response was too large holds: the answer a retry gets, marked so it is no replay. */
function notStoredRecord(): HttpResponse {
  const problem = problemResponse(new ResponseNotStoredError());
  return { ...problem, headers: { ...problem.headers, [NOT_STORED_MARKER]: '1' } };
}

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
