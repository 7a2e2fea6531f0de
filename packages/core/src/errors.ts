/**
 * Every error idem raises is an `IdempotencyError` with a stable `code` (for programs) and the HTTP
 * `status` a middleware answers with. Causes are kept on `cause`, never swallowed.
 */
export type IdempotencyErrorCode =
  | 'MISSING_KEY'
  | 'INVALID_KEY'
  | 'REQUEST_IN_PROGRESS'
  | 'REQUEST_MISMATCH'
  | 'STORAGE_ERROR'
  | 'LOCK_TIMEOUT'
  | 'KEY_GENERATION_FAILED'
  | 'CONFIGURATION_ERROR'
  | 'STORAGE_NOT_CONFIGURED'
  | 'RESPONSE_NOT_STORED'
  | 'PAYLOAD_TOO_LARGE'
  | 'CALLBACK_FAILED'
  | 'RESULT_NOT_ENCODABLE'
  | 'LEASE_LOST';

export class IdempotencyError extends Error {
  readonly code: IdempotencyErrorCode;
  readonly status: number;

  constructor(code: IdempotencyErrorCode, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
  }
}

/** `requireKey` is on and the request carries no key: 400. */
export class MissingKeyError extends IdempotencyError {
  constructor(header: string) {
    super('MISSING_KEY', 400, `This request requires an ${header} header.`);
  }
}

/** The key is empty, too long, holds control characters, or `validateKey` rejected it: 400. */
export class InvalidKeyError extends IdempotencyError {
  constructor(reason: string) {
    super('INVALID_KEY', 400, `Invalid idempotency key: ${reason}.`);
  }
}

/** Another request with the same key still runs: 409 with `Retry-After`. */
export class RequestInProgressError extends IdempotencyError {
  constructor(readonly retryAfterSeconds: number) {
    super('REQUEST_IN_PROGRESS', 409, 'A request with this idempotency key is still being processed; retry later.');
  }
}

/** The key was used before with a different request (method, path or body): 422. */
export class RequestMismatchError extends IdempotencyError {
  constructor() {
    super('REQUEST_MISMATCH', 422, 'This idempotency key was already used with a different request.');
  }
}

/** The store failed or could not be reached: 503 with `Retry-After`, the handler did not run. */
export class StorageError extends IdempotencyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORAGE_ERROR', 503, message, options);
  }
}

/** `onConflict: 'wait'` (or `run()` with `wait`) gave up waiting for the first request: 409. */
export class LockTimeoutError extends IdempotencyError {
  constructor(readonly retryAfterSeconds: number) {
    super('LOCK_TIMEOUT', 409, 'Timed out waiting for the request with this idempotency key to finish.');
  }
}

/** A key strategy (body hash, custom function) threw or produced no usable key: 400. */
export class KeyGenerationError extends IdempotencyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KEY_GENERATION_FAILED', 400, message, options);
  }
}

/** An option is missing or of the wrong shape; thrown at construction time. */
export class ConfigurationError extends IdempotencyError {
  constructor(message: string) {
    super('CONFIGURATION_ERROR', 500, message);
  }
}

/** No `store` was given. */
export class StorageNotConfiguredError extends IdempotencyError {
  constructor() {
    super('STORAGE_NOT_CONFIGURED', 500, 'idem needs a `store` option (for example `new MemoryStore()`).');
  }
}

/**
 * The first request ran but its response could not be stored (larger than `maxResponseBytes`), so a
 * retry cannot be answered with it. The key stays used, so the handler never runs a second time: 409.
 */
export class ResponseNotStoredError extends IdempotencyError {
  constructor() {
    super(
      'RESPONSE_NOT_STORED',
      409,
      'The request with this idempotency key was processed, but its response was too large to store and cannot be replayed.',
    );
  }
}

/**
 * The request body is larger than the middleware reads to fingerprint it (e.g. `maxBodyBytes`), so the
 * request cannot be compared with a retry: 413. Requests that are not protected are never refused.
 */
export class PayloadTooLargeError extends IdempotencyError {
  constructor(readonly limitBytes: number) {
    super('PAYLOAD_TOO_LARGE', 413, `The request body is larger than ${limitBytes} bytes, the most idem reads to fingerprint a request.`);
  }
}

/** The names of the user callbacks idem calls, as they appear in the options. */
export type CallbackName =
  | 'onCacheHit'
  | 'onCacheMiss'
  | 'onLockConflict'
  | 'onMismatch'
  | 'onStoreError'
  | 'onLeaseLost'
  | 'errorHandler'
  | 'scope'
  | 'skip'
  | 'key'
  | 'fingerprint'
  | 'shouldStore'
  | 'keepResponseHeaders'
  | 'validateKey'
  | 'serializer';

/**
 * A user callback threw or rejected. It is never the answer to a request: idem carries on with the
 * callback's safe default and hands this error to `onCallbackError` (the original on `cause`).
 */
export class CallbackError extends IdempotencyError {
  constructor(
    readonly callback: CallbackName,
    cause: unknown,
    /** The client's key of the request, when it was known. */
    readonly key?: string,
  ) {
    super('CALLBACK_FAILED', 500, `The idem callback \`${callback}\` threw: ${describe(cause)}`, { cause });
  }
}

/**
 * `run()` / `idempotent()`: the function's result could not be encoded by the serializer (a BigInt or a
 * cycle under JSON). Nothing is stored and the key is released, so a call with a fixed function or
 * serializer runs again. The result is kept on `result`: the function did run.
 */
export class ResultNotEncodableError extends IdempotencyError {
  constructor(
    readonly result: unknown,
    cause: unknown,
  ) {
    super('RESULT_NOT_ENCODABLE', 500, `The function's result could not be serialized for storage: ${describe(cause)}`, { cause });
  }
}

function describe(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : String(thrown);
}

/**
 * The handler ran in a transaction, but by the time its response was to be recorded another request had
 * taken its lease over (it stalled past `lockTtl`): the transaction was rolled back, none of its writes
 * remain, and the other request's result stands. 409: a retry gets that result (or 409 while it runs).
 */
export class LeaseLostError extends IdempotencyError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      'LEASE_LOST',
      409,
      'This request lost its idempotency lease to a retry and was rolled back; retry to get the result that stands.',
    );
  }
}

/**
 * COMMIT was sent but no answer came back (the connection died): the transaction may or may not have
 * committed. The lease is kept, so a retry gets 409 until it expires, then either replays the committed
 * record or runs on a clean slate. 503, like every store failure.
 */
export class CommitOutcomeUnknownError extends StorageError {
  constructor(options: { cause?: unknown }) {
    super('The database gave no answer to COMMIT: the transaction may or may not have committed', options);
  }
}

/** Wraps anything a store threw as a `StorageError`, keeping the original as `cause`. */
export function toStorageError(error: unknown, operation: string): IdempotencyError {
  if (error instanceof IdempotencyError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new StorageError(`Idempotency store ${operation} failed: ${detail}`, { cause: error });
}
