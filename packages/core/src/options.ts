/** Every option of the manager, its default, and validation at construction with precise messages. */
import { ConfigurationError, StorageNotConfiguredError, type IdempotencyError } from './errors';
import type { FingerprintSetting } from './fingerprint';
import type { HttpResponse } from './http';
import type { KeyStrategy, KeyValidator } from './keys';
import type { KeepResponseHeaders } from './response-headers';
import type { IdempotencyStore } from './store';

export interface IdempotencyHooks<Raw = unknown> {
  /** A completed record was replayed. */
  onCacheHit?: (key: string, req: Raw) => void;
  /** No record existed: the handler runs now. */
  onCacheMiss?: (key: string, req: Raw) => void;
  /** Another request with the key is in progress (answered 409, or waited for). */
  onLockConflict?: (key: string, req: Raw) => void;
  /** The key was reused with a different request (answered 422). */
  onMismatch?: (key: string, req: Raw) => void;
  /** The store failed; `failOpen` says whether the handler ran anyway, unprotected. */
  onStoreError?: (error: IdempotencyError, context: { key: string; failOpen: boolean }) => void;
  /** A renewal or `complete` found the lease taken over: the handler's effect may have happened twice. */
  onLeaseLost?: (key: string) => void;
}

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
  /** Methods that are protected. Default POST, PUT, PATCH, DELETE. */
  methods?: string[];
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
  /** When the store fails, run the handler unprotected instead of answering 503. Default false. */
  failOpen?: boolean;
  /** Largest encoded response stored, bytes. Default 5 MiB. */
  maxResponseBytes?: number;
  /** Your own error responses: return a response, or undefined for the default problem+json. */
  errorHandler?: (error: IdempotencyError, req: Raw) => HttpResponse | undefined;
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
  'failOpen',
  'maxResponseBytes',
  'hashKeys',
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
    if (typeof store[method] !== 'function') throw new ConfigurationError(`\`store\` lacks the method \`${method}\` of the idem store contract`);
  }
  positiveInteger(options, 'ttl');
  positiveInteger(options, 'lockTtl');
  positiveInteger(options, 'waitTimeout');
  positiveInteger(options, 'maxResponseBytes');
  if (options.lockTtl !== undefined && options.lockTtl < 10) throw new ConfigurationError('`lockTtl` must be at least 10 ms');
  if (options.header !== undefined && (typeof options.header !== 'string' || !HEADER_NAME.test(options.header))) {
    throw new ConfigurationError('`header` must be a valid HTTP header name');
  }
  if (options.methods !== undefined && (!Array.isArray(options.methods) || options.methods.some((m) => typeof m !== 'string' || !HEADER_NAME.test(m)))) {
    throw new ConfigurationError('`methods` must be an array of HTTP method names');
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
  if (fingerprint !== undefined && fingerprint !== false && typeof fingerprint !== 'function' && (typeof fingerprint !== 'object' || fingerprint === null)) {
    throw new ConfigurationError('`fingerprint` must be false, an options object or a function');
  }
  const keep = options.keepResponseHeaders;
  if (keep !== undefined && typeof keep !== 'function' && !(Array.isArray(keep) && keep.every((h) => typeof h === 'string'))) {
    throw new ConfigurationError('`keepResponseHeaders` must be an array of header names or a function');
  }
}

function positiveInteger(options: object, name: string): void {
  const value = (options as Record<string, unknown>)[name];
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigurationError(`\`${name}\` must be a positive whole number of ${name === 'maxResponseBytes' ? 'bytes' : 'milliseconds'}`);
  }
}
