/**
 * The HTTP decision every middleware shares. Given a neutral request it answers one of:
 * - `pass`: not protected (method, `skip`, or no key when keys are optional): run the handler as usual;
 * - `respond`: answer with this response (a replay, or a problem+json error) without running the handler;
 * - `execute`: run the handler, then hand its response to `execution.finish()` BEFORE sending it, so the
 *   record is committed before the client can see an answer (or `execution.abort()` if it failed).
 */
import { acquireKey } from './acquisition';
import { decodeResponse, encodeResponse } from './codec';
import { IdempotencyError, MissingKeyError, ResponseNotStoredError, StorageError, toStorageError } from './errors';
import { createFingerprinter, type FingerprintFunction } from './fingerprint';
import type { HttpResponse, IdempotencyRequest } from './http';
import { generateKey, keyFromHeader, storageKey, validateKey, type KeyStrategy } from './keys';
import type { Lease } from './lease';
import { DEFAULTS, type IdempotencyOptions } from './options';
import { problemResponse } from './problem';
import { createHeaderFilter, filterHeaders } from './response-headers';
import { IdempotencyRunner } from './runner';

export type Decision =
  | { action: 'pass' }
  /** `response` may be shared between requests (a replay is decoded once per record): never mutate it. */
  | { action: 'respond'; response: HttpResponse; replayed: boolean }
  | { action: 'execute'; execution: Execution };

/** A handler run under a lease (or unprotected, when the store failed and `failOpen` is on). */
export interface Execution {
  /** The storage key, for logs. */
  readonly key: string;
  /** False when the store failed and `failOpen` let the handler run without protection. */
  readonly protected: boolean;
  /** Records the response if it should be stored; resolves to whether it was. Never throws. */
  finish(response: HttpResponse): Promise<{ stored: boolean }>;
  /** The handler failed or the client went away: release the key so a retry runs again. Never throws. */
  abort(): Promise<void>;
}

export const REPLAYED_HEADER = 'idempotent-replayed';

export class Idempotency<Raw = unknown> extends IdempotencyRunner<Raw> {
  private readonly methods: Set<string>;
  private readonly keyStrategy: KeyStrategy<Raw>;
  private readonly fingerprinter: FingerprintFunction<Raw>;
  private readonly keepHeader: (name: string) => boolean;
  private readonly maxResponseBytes: number;
  private readonly decoded = new WeakMap<Uint8Array, HttpResponse>();

  constructor(options: IdempotencyOptions<Raw>, extraOptionNames: readonly string[] = []) {
    super(options, undefined, extraOptionNames);
    this.methods = new Set((options.methods ?? DEFAULTS.methods).map((m) => m.toUpperCase()));
    this.keyStrategy = options.key ?? (keyFromHeader(options.header ?? DEFAULTS.header) as KeyStrategy<Raw>);
    this.fingerprinter = createFingerprinter(options.fingerprint);
    this.keepHeader = createHeaderFilter(options.keepResponseHeaders);
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULTS.maxResponseBytes;
  }

  /** Decides what to do with a request; never throws (errors become problem responses). */
  async handle(request: IdempotencyRequest, req: Raw = (request.raw ?? request) as Raw): Promise<Decision> {
    try {
      return await this.decide(request, req);
    } catch (error) {
      if (error instanceof IdempotencyError) return { action: 'respond', response: this.errorResponse(error, req), replayed: false };
      // A user callback (scope, skip, fingerprint) threw: the request cannot be classified safely.
      const wrapped = new IdempotencyError('KEY_GENERATION_FAILED', 400, `Could not process the idempotency options: ${(error as Error)?.message ?? error}`, { cause: error });
      return { action: 'respond', response: this.errorResponse(wrapped, req), replayed: false };
    }
  }

  /** The response for an error: `errorHandler`'s if it gives one, else problem+json. */
  errorResponse(error: IdempotencyError, req: Raw): HttpResponse {
    const custom = this.options.errorHandler?.(error, req);
    if (custom) return custom;
    const retryAfter = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
    return problemResponse(error, retryAfter ?? Math.ceil(this.lockTtl / 1000));
  }

  private async decide(request: IdempotencyRequest, req: Raw): Promise<Decision> {
    if (!this.methods.has(request.method.toUpperCase())) return { action: 'pass' };
    if (this.options.skip && (await this.options.skip(req))) return { action: 'pass' };
    const clientKey = await generateKey(this.keyStrategy, req, request);
    if (clientKey === undefined) {
      if (this.options.requireKey) throw new MissingKeyError(this.options.header ?? DEFAULTS.header);
      return { action: 'pass' };
    }
    validateKey(clientKey, this.options.validateKey);
    const scope = this.options.scope ? await this.options.scope(req) : undefined;
    const key = storageKey(clientKey, scope, this.options.hashKeys ?? false);
    const fingerprint = await this.fingerprinter(req, request);

    let acquisition;
    try {
      acquisition = await acquireKey(this.store, key, fingerprint, this.settings, this.acquireEvents(key, req));
    } catch (error) {
      if (error instanceof StorageError && this.options.failOpen) {
        this.reportStoreError(error, key, true);
        return { action: 'execute', execution: unprotectedExecution(key) };
      }
      if (error instanceof StorageError) this.reportStoreError(error, key, false);
      throw error;
    }
    if (acquisition.outcome === 'completed') {
      this.options.onCacheHit?.(key, req);
      return { action: 'respond', response: this.replay(acquisition.record.response), replayed: true };
    }
    this.options.onCacheMiss?.(key, req);
    return { action: 'execute', execution: this.execution(acquisition.lease) };
  }

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
    const replayed = { ...response, headers: { ...response.headers, [REPLAYED_HEADER]: 'true' } };
    this.decoded.set(payload, replayed);
    return replayed;
  }

  private execution(lease: Lease): Execution {
    return {
      key: lease.key,
      protected: true,
      abort: () => lease.release(),
      finish: async (response) => {
        const shouldStore = this.options.shouldStore ?? ((r: HttpResponse) => r.status < 500);
        let store: boolean;
        try {
          store = shouldStore(response);
        } catch (error) {
          this.reportStoreError(toStorageError(error, 'shouldStore'), lease.key, false);
          store = false;
        }
        if (!store) {
          await lease.release();
          return { stored: false };
        }
        const headers = filterHeaders(response.headers, this.keepHeader);
        let payload = encodeResponse({ status: response.status, headers, body: response.body });
        // Too large to keep: the key is still marked done (with a 409 explaining why) so that a retry
        // can never run the handler a second time.
        const tooLarge = payload.length > this.maxResponseBytes;
        if (tooLarge) payload = encodeResponse(problemResponse(new ResponseNotStoredError()));
        try {
          const owned = await lease.complete(payload);
          return { stored: owned && !tooLarge };
        } catch (error) {
          // The handler ran but the record could not be written. The lease is kept (not released), so
          // retries get 409 until it expires rather than running the handler again at once.
          this.reportStoreError(toStorageError(error, 'complete'), lease.key, false);
          return { stored: false };
        }
      },
    };
  }
}

function unprotectedExecution(key: string): Execution {
  return { key, protected: false, finish: async () => ({ stored: false }), abort: async () => undefined };
}
