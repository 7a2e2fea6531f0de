/** RFC 9457 problem+json responses for every IdempotencyError. */
import { STATUS_CODES } from 'node:http';
import type { IdempotencyError } from './errors';
import type { HttpResponse } from './http';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
}

export function problemDetails(error: IdempotencyError): ProblemDetails {
  return {
    type: 'about:blank',
    title: STATUS_CODES[error.status] ?? 'Error',
    status: error.status,
    detail: error.message,
    code: error.code,
  };
}

/**
 * The problem+json response for an error, with `Retry-After` when a retry hint is given (the manager
 * gives one to every 409 and 503 that a later retry can resolve).
 */
export function problemResponse(error: IdempotencyError, retryAfterSeconds?: number): HttpResponse {
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(1, retryAfterSeconds));
  return { status: error.status, headers, body: new TextEncoder().encode(JSON.stringify(problemDetails(error))) };
}
