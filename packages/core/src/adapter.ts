// `@idem/core/adapter`: the request/response plumbing a middleware is built from (the manager, body and
// response capture for node:http and Web Request/Response). Apps and stores never need it; the app- and
// store-author API stays at `@idem/core`, so this entry may speak node:http types without the root's
// published types needing @types/node.
export { encodeResponse, decodeResponse } from './codec';
export { parseKeyHeader } from './keys';
export { createHeaderFilter, filterHeaders } from './response-headers';
export { validateOptions } from './options';
export { Lease } from './lease';
export { Idempotency, type Decision } from './manager';
export type { Execution, FinishResult } from './execution';
export { unprotectedOutcome } from './outcome';
export { requestTransactions, type RequestTransactions, type TransactionSource } from './request-transaction';
export { isMethodProtected } from './methods';
export { Callbacks, type CallbackErrorHandler } from './callbacks';
export { resolveMaxBodyBytes, withBodyLimit, type BodyLimit } from './body-limit';
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
export { guardAbandonedExecution, guardAbandonedWebExecution, GuardedNodeExecution, type AbandonGuard } from './abandon';
export { readNodeRequestBody, readNodeRequestBodyNow, type NodeBodyRead, type NodeReadableRequest } from './node-body';
export { bufferAsyncBody, isAsyncIterable, type BufferedBody } from './async-body';
export { captureNodeResponse, sendNodeResponse, type NodeResponseCapture, type NodeResponseSink } from './node-response';
