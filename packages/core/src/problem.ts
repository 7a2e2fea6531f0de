/**
 * RFC 9457 problem+json responses for every IdempotencyError. With `docsUrl`, each code's `type` is a
 * URL of its own and the response links it (`Link: <…>; rel="describedby"`), as the Idempotency-Key
 * draft asks of error responses.
 */
import { ConfigurationError, type IdempotencyError, type IdempotencyErrorCode } from './errors';
import type { HttpResponse } from './http';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
}

/** The reason phrases of the statuses idem answers with (a table, not node:http: core runs on Web runtimes). */
const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  409: 'Conflict',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** A short summary of each problem type: the `title` once `type` names the code rather than `about:blank`. */
const TITLES: Record<IdempotencyErrorCode, string> = {
  MISSING_KEY: 'Idempotency key required',
  INVALID_KEY: 'Invalid idempotency key',
  KEY_GENERATION_FAILED: 'Idempotency key could not be derived',
  REQUEST_MISMATCH: 'Idempotency key reused with another request',
  REQUEST_IN_PROGRESS: 'Request with this idempotency key in progress',
  LOCK_TIMEOUT: 'Timed out waiting for the request with this idempotency key',
  RESPONSE_NOT_STORED: 'Response of this idempotency key not stored',
  LEASE_LOST: 'Idempotency lease lost; the request was rolled back',
  PAYLOAD_TOO_LARGE: 'Request body too large to fingerprint',
  STORAGE_ERROR: 'Idempotency store unavailable',
  CONFIGURATION_ERROR: 'Idempotency misconfigured',
  STORAGE_NOT_CONFIGURED: 'Idempotency store not configured',
  CALLBACK_FAILED: 'Idempotency callback failed',
  RESULT_NOT_ENCODABLE: 'Function result not encodable',
};

/** Every code, in the order docs/errors.md lists them. */
export const ERROR_CODES = Object.keys(TITLES) as IdempotencyErrorCode[];

/**
 * The codes whose message idem wrote for the client (a key rule, a conflict) and may show it. Every other
 * message can carry server internals: a driver's text, a table name, what the app's own callback threw.
 * Those reach `onStoreError`, `errorHandler` and logs on the error itself; the client reads a fixed detail.
 */
const CLIENT_MESSAGES = new Set<IdempotencyErrorCode>([
  'MISSING_KEY',
  'INVALID_KEY',
  'REQUEST_MISMATCH',
  'REQUEST_IN_PROGRESS',
  'LOCK_TIMEOUT',
  'RESPONSE_NOT_STORED',
  'LEASE_LOST',
  'PAYLOAD_TOO_LARGE',
]);

const FIXED_DETAILS: Partial<Record<IdempotencyErrorCode, string>> = {
  STORAGE_ERROR: 'The idempotency store could not be reached, so this request was not processed. Retry it after the Retry-After delay.',
  KEY_GENERATION_FAILED: 'The idempotency key could not be derived from this request.',
};
const FALLBACK_DETAIL = 'The server could not apply idempotency to this request.';

/** The client-safe `detail` of an error (see CLIENT_MESSAGES). */
export function publicDetail(error: IdempotencyError): string {
  if (CLIENT_MESSAGES.has(error.code)) return error.message;
  return FIXED_DETAILS[error.code] ?? FALLBACK_DETAIL;
}

/**
 * The documentation URL of a code: `{code}` in `docsUrl` is replaced by the code's anchor (its lower-case
 * name, e.g. `storage_error`), otherwise the anchor is appended as a fragment.
 */
export function docsUrlFor(docsUrl: string, code: IdempotencyErrorCode): string {
  const anchor = code.toLowerCase();
  return docsUrl.includes('{code}') ? docsUrl.replaceAll('{code}', anchor) : `${docsUrl}#${anchor}`;
}

/** Throws ConfigurationError unless `docsUrl` is an absolute http(s) URL without a fragment of its own. */
export function checkDocsUrl(docsUrl: unknown): void {
  const fail = () =>
    new ConfigurationError('`docsUrl` must be an absolute http(s) URL, optionally with `{code}` where the error code goes');
  if (typeof docsUrl !== 'string' || /[\s<>"]/.test(docsUrl)) throw fail();
  let url: URL;
  try {
    url = new URL(docsUrl.replaceAll('{code}', 'code'));
  } catch {
    throw fail();
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || (url.hash !== '' && !docsUrl.includes('{code}'))) throw fail();
}

export function problemDetails(error: IdempotencyError, docsUrl?: string): ProblemDetails {
  return {
    type: docsUrl === undefined ? 'about:blank' : docsUrlFor(docsUrl, error.code),
    title: docsUrl === undefined ? (STATUS_TEXT[error.status] ?? 'Error') : TITLES[error.code],
    status: error.status,
    detail: publicDetail(error),
    code: error.code,
  };
}

/**
 * The problem+json response for an error, with `Retry-After` when a retry hint is given (the manager
 * gives one to every 409 and 503 that a later retry can resolve). With `docsUrl`, the code's
 * documentation is linked as `Link: <url>; rel="describedby"`.
 */
export function problemResponse(error: IdempotencyError, retryAfterSeconds?: number, docsUrl?: string): HttpResponse {
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(1, retryAfterSeconds));
  const problem = problemDetails(error, docsUrl);
  if (docsUrl !== undefined) headers['link'] = `<${problem.type}>; rel="describedby"`;
  return { status: error.status, headers, body: new TextEncoder().encode(JSON.stringify(problem)) };
}
