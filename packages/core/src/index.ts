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
  toStorageError,
  type IdempotencyErrorCode,
} from './errors';
export type { IdempotencyStore, IdempotencyRecord, RecordStatus, AcquireOptions, AcquireResult } from './store';
export { headerValues, type IdempotencyRequest, type HttpResponse, type Headers, type HeaderValue } from './http';
export { encodeResponse, decodeResponse, jsonSerializer, type ResultSerializer } from './codec';
export {
  keyFromHeader,
  keyFromBody,
  compositeKey,
  parseKeyHeader,
  validateKey,
  storageKey,
  MAX_KEY_LENGTH,
  type KeyStrategy,
  type KeyValidator,
} from './keys';
export { createFingerprinter, type FingerprintOptions, type FingerprintFunction, type FingerprintSetting } from './fingerprint';
export { canonicalJson } from './canonical-json';
export { sha256 } from './hash';
export { createHeaderFilter, filterHeaders, type KeepResponseHeaders } from './response-headers';
export { problemDetails, problemResponse, type ProblemDetails } from './problem';
export { DEFAULTS, validateOptions, type IdempotencyOptions, type IdempotencyHooks } from './options';
export { Lease } from './lease';
export { Idempotency, REPLAYED_HEADER, type Decision, type Execution } from './manager';
export { IdempotencyRunner, idempotent, type RunOptions, type IdempotentOptions } from './runner';
export { DEFAULT_MAX_BODY_BYTES, resolveMaxBodyBytes, withBodyLimit, type BodyLimit } from './body-limit';
export { createMiddlewareSetup, type MiddlewareOptions, type MiddlewareSetup } from './middleware-setup';
export {
  readWebRequestBody,
  fromWebRequest,
  toWebResponse,
  webResponseHeaders,
  readWebResponse,
  type WebBodyRead,
  type WebRequestParts,
  type CapturedWebResponse,
} from './web';
export { nodeRequestHeaders, type NodeRequestLike } from './node-request';
export { guardAbandonedExecution, type AbandonGuard } from './abandon';
export { readNodeRequestBody, type NodeBodyRead, type NodeReadableRequest } from './node-body';
export { bufferAsyncBody, isAsyncIterable, type BufferedBody } from './async-body';
export { captureNodeResponse, sendNodeResponse, type NodeResponseCapture } from './node-response';
