/** Every option of the manager, its default, and validation at construction with precise messages. */
import { ConfigurationError, StorageNotConfiguredError, type CallbackError, type IdempotencyError } from './errors';
import type { FingerprintSetting } from './fingerprint';
import type { HttpResponse } from './http';
import type { KeyStrategy, KeyValidator } from './keys';
import type { ProtectedMethods } from './methods';
import { checkDocsUrl } from './problem';
import type { KeepResponseHeaders } from './response-headers';
import type { IdempotencyStore } from './store';

/** What a hook gets besides the client's key: the key as the store holds it, for logs. */
export interface HookContext {
  /** The storage key: scope and key joined (or their SHA-256 with `hashKeys`). */
  storageKey: string;
}

/**
 * Hooks are notifications: they may be async, idem does not wait for them, and a throw or rejection
 * never changes an answer or a lease. It is reported to `onCallbackError`.
 */
export interface IdempotencyHooks<Raw = unknown> {
  /** A completed record was replayed. `key` is the client's key. */
  onCacheHit?: (key: string, req: Raw, context: HookContext) => unknown;
  /** No record existed: the handler runs now. */
  onCacheMiss?: (key: string, req: Raw, context: HookContext) => unknown;
  /** Another request with the key is in progress (answered 409, or waited for). */
  onLockConflict?: (key: string, req: Raw, context: HookContext) => unknown;
  /** The key was reused with a different request (answered 422). */
  onMismatch?: (key: string, req: Raw, context: HookContext) => unknown;
  /**
   * The store failed; `failOpen` says whether the handler ran anyway, unprotected. `key` is the
   * client's key (undefined for a failure no request is waiting on), `storageKey` the store's.
   */
  onStoreError?: (error: IdempotencyError, context: { key: string | undefined; storageKey: string; failOpen: boolean }) => unknown;
  /** A renewal or `complete` found the lease taken over: the handler's effect may have happened twice. */
  onLeaseLost?: (key: string, context: HookContext) => unknown;
  /**
   * A callback or hook threw or rejected (`error.callback` names it, `error.cause` is what it threw).
   * idem carried on as if it had not been set. Default: `console.error`.
   */
  onCallbackError?: (error: CallbackError) => unknown;
}

/** What `errorHandler` may return: core's response, a Web `Response` (`c.json(...)` on Hono), or nothing. */
export type ErrorHandlerResult = HttpResponse | Response | undefined;

export interface IdempotencyOptions<Raw = unknown> extends IdempotencyHooks<Raw> {
  store: IdempotencyStore;
  /** How long a completed response is replayed, ms. Default 24 h. */
  ttl?: number;
  /** How long a running request's lease lasts without renewal, ms. Renewed every third of it. Default 30 s. */
  lockTtl?: number;
  /** The request header holding the key. Default `Idempotency-Key`. */
  header?: string;
  /** Where the key comes from. Default: the `header`. */
  key?: KeyStrategy<Raw>;
  /** What makes a retry the same request; `false` turns mismatch detection off. */
  fingerprint?: FingerprintSetting<Raw>;
  /** A namespace per tenant or user: the same key in two scopes is two different requests. */
  scope?: (req: Raw) => string | undefined | Promise<string | undefined>;
  /** Methods that are protected: a list, or `'unsafe'` (all but GET, HEAD, OPTIONS, TRACE). Default POST, PUT, PATCH, DELETE. */
  methods?: ProtectedMethods;
  /** Return true to pass a request through untouched. */
  skip?: (req: Raw) => boolean | Promise<boolean>;
  /** Answer 400 when a protected request has no key. Default false (pass through). */
  requireKey?: boolean;
  /** Extra key rule: return true to accept, false or a reason string to answer 400. */
  validateKey?: KeyValidator;
  /** Which response headers are stored: an allowlist or a predicate. Default: all but Set-Cookie. */
  keepResponseHeaders?: KeepResponseHeaders;
  /** Whether a response is stored for replay. Default: every status below 500. */
  shouldStore?: (response: HttpResponse) => boolean;
  /** A duplicate arriving while the first runs: 409 at once (`reject`, default) or `wait` for its result. */
  onConflict?: 'reject' | 'wait';
  /** With `onConflict: 'wait'`, how long to wait before answering 409, ms. Default 10 s. */
  waitTimeout?: number;
  /**
   * The `Retry-After` of a 409 (a duplicate while the first request runs), seconds; never more than
   * the first request's lease has left. Default 1: most requests finish in milliseconds.
   */
  conflictRetryAfter?: number;
  /** When the store fails, run the handler unprotected instead of answering 503. Default false. */
  failOpen?: boolean;
  /** Largest encoded response stored, bytes. Default 5 MiB. */
  maxResponseBytes?: number;
  /**
   * Your own error responses: return a response (or a Web `Response`), or undefined for the default
   * problem+json. May be async. If it throws, the default problem+json is sent (and the throw reported).
   */
  errorHandler?: (error: IdempotencyError, req: Raw) => ErrorHandlerResult | Promise<ErrorHandlerResult>;
  /**
   * Where the error codes are documented: each problem's `type` becomes this URL with the code's anchor
   * (`#storage_error`, or in place of `{code}`), linked as `Link: <…>; rel="describedby"`. Default: none,
   * `type` is `about:blank`.
   */
  docsUrl?: string;
  /** Store a SHA-256 of the key instead of the key. Default false. */
  hashKeys?: boolean;
  /** The clock, epoch ms. Default `Date.now`; inject one in tests. */
  now?: () => number;
}

export const DEFAULTS = {
  ttl: 24 * 60 * 60 * 1000,
  lockTtl: 30_000,
  header: 'Idempotency-Key',
  methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  waitTimeout: 10_000,
  conflictRetryAfter: 1,
  maxResponseBytes: 5 * 1024 * 1024,
} as const;

const FUNCTION_OPTIONS = [
  'key',
  'scope',
  'skip',
  'validateKey',
  'shouldStore',
  'errorHandler',
  'now',
  'onCacheHit',
  'onCacheMiss',
  'onLockConflict',
  'onMismatch',
  'onStoreError',
  'onLeaseLost',
  'onCallbackError',
] as const;

const KNOWN_OPTIONS = new Set<string>([
  'store',
  'ttl',
  'lockTtl',
  'header',
  'fingerprint',
  'methods',
  'requireKey',
  'keepResponseHeaders',
  'onConflict',
  'waitTimeout',
  'conflictRetryAfter',
  'failOpen',
  'maxResponseBytes',
  'hashKeys',
  'docsUrl',
  ...FUNCTION_OPTIONS,
]);

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function validateOptions<Raw>(options: IdempotencyOptions<Raw>, extraKnown: readonly string[] = []): void {
  if (options === null || typeof options !== 'object') throw new ConfigurationError('idem options must be an object');
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name) && !extraKnown.includes(name)) throw new ConfigurationError(`Unknown idem option \`${name}\``);
  }
  const store = options.store as Partial<IdempotencyStore> | undefined;
  if (store === undefined || store === null) throw new StorageNotConfiguredError();
  for (const method of ['acquire', 'complete', 'release', 'extend', 'get', 'delete', 'close'] as const) {
    if (typeof store[method] !== 'function')
      throw new ConfigurationError(`\`store\` lacks the method \`${method}\` of the idem store contract`);
  }
  positiveInteger(options, 'ttl');
  positiveInteger(options, 'lockTtl');
  positiveInteger(options, 'waitTimeout');
  positiveInteger(options, 'maxResponseBytes');
  positiveInteger(options, 'conflictRetryAfter');
  if (options.lockTtl !== undefined && options.lockTtl < 10) throw new ConfigurationError('`lockTtl` must be at least 10 ms');
  if (options.header !== undefined && (typeof options.header !== 'string' || !HEADER_NAME.test(options.header))) {
    throw new ConfigurationError('`header` must be a valid HTTP header name');
  }
  if (
    options.methods !== undefined &&
    options.methods !== 'unsafe' &&
    (!Array.isArray(options.methods) || options.methods.some((m) => typeof m !== 'string' || !HEADER_NAME.test(m)))
  ) {
    throw new ConfigurationError("`methods` must be an array of HTTP method names or 'unsafe'");
  }
  if (options.onConflict !== undefined && options.onConflict !== 'reject' && options.onConflict !== 'wait') {
    throw new ConfigurationError("`onConflict` must be 'reject' or 'wait'");
  }
  for (const name of ['requireKey', 'failOpen', 'hashKeys'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'boolean') throw new ConfigurationError(`\`${name}\` must be a boolean`);
  }
  for (const name of FUNCTION_OPTIONS) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw new ConfigurationError(`\`${name}\` must be a function`);
  }
  const fingerprint = options.fingerprint;
  if (
    fingerprint !== undefined &&
    fingerprint !== false &&
    typeof fingerprint !== 'function' &&
    (typeof fingerprint !== 'object' || fingerprint === null)
  ) {
    throw new ConfigurationError('`fingerprint` must be false, an options object or a function');
  }
  if (options.docsUrl !== undefined) checkDocsUrl(options.docsUrl);
  const keep = options.keepResponseHeaders;
  if (keep !== undefined && typeof keep !== 'function' && !(Array.isArray(keep) && keep.every((h) => typeof h === 'string'))) {
    throw new ConfigurationError('`keepResponseHeaders` must be an array of header names or a function');
  }
}

const UNITS: Record<string, string> = { maxResponseBytes: 'bytes', conflictRetryAfter: 'seconds' };

function positiveInteger(options: object, name: string): void {
  const value = (options as Record<string, unknown>)[name];
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigurationError(`\`${name}\` must be a positive whole number of ${UNITS[name] ?? 'milliseconds'}`);
  }
}
