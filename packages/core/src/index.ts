// The API of app and store authors: errors, the store contract, key strategies, fingerprints, options and
// the function API. The request/response plumbing only middleware authors need is at `@idem/core/adapter`.
export {
  IdempotencyError,
  MissingKeyError,
  InvalidKeyError,
  RequestInProgressError,
  RequestMismatchError,
  StorageError,
  LockTimeoutError,
  KeyGenerationError,
  ConfigurationError,
  StorageNotConfiguredError,
  ResponseNotStoredError,
  PayloadTooLargeError,
  CallbackError,
  ResultNotEncodableError,
  LeaseLostError,
  CommitOutcomeUnknownError,
  toStorageError,
  type IdempotencyErrorCode,
  type CallbackName,
} from './errors';
export type { IdempotencyStore, IdempotencyRecord, RecordStatus, AcquireOptions, AcquireResult, StoreClock } from './store';
export { withLocalCache, type LocalCacheOptions } from './local-cache';
export { headerValues, type IdempotencyRequest, type HttpResponse, type Headers, type HeaderValue } from './http';
export { jsonSerializer, type ResultSerializer } from './codec';
export {
  keyFromHeader,
  keyFromBody,
  keyFromHeaderOrBody,
  compositeKey,
  uuidKey,
  validateKey,
  MAX_KEY_LENGTH,
  type KeyStrategy,
  type KeyValidator,
} from './keys';
export { storageKey, namespacedKey, DEFAULT_PREFIX } from './namespace';
export { createFingerprinter, type FingerprintOptions, type FingerprintFunction, type FingerprintSetting } from './fingerprint';
export { canonicalJson } from './canonical-json';
export { sha256 } from './hash';
export { textBytes } from './text-bytes';
export type { KeepResponseHeaders } from './response-headers';
export { problemDetails, problemResponse, type ProblemDetails } from './problem';
export { DEFAULTS, type IdempotencyOptions, type IdempotencyHooks, type HookContext, type ErrorHandlerResult } from './options';
export type { IdempotencyOutcome } from './outcome';
export type { ProtectedMethods } from './methods';
export { REPLAYED_HEADER, type ResolvedSettings } from './manager';
export { IdempotencyRunner, idempotent, type RunOptions, type IdempotentOptions, type RunContext } from './runner';
export {
  isTransactionalStore,
  type TransactionalStore,
  type StoreTransaction,
  type TransactionOptions,
  type TransactionRunner,
} from './transaction';
export { DEFAULT_MAX_BODY_BYTES } from './body-limit';
export {
  DIAGNOSTICS_CHANNELS,
  type IdempotencyEventName,
  type IdempotencyEventMessage,
  type StoreCallContext,
  type StoreOperation,
} from './diagnostics';
