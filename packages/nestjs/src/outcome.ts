/** What idem did with a request, readable from the request object (logs, metrics, tests). */
import type { IdempotencyOutcome } from '@idem/core';
import { unprotectedOutcome } from '@idem/core/adapter';

export type { IdempotencyOutcome };

const outcomes = new WeakMap<object, IdempotencyOutcome>();

/**
 * Keeps core's outcome object (it updates `stored` once the record is written) under the platform's
 * request and the node:http request under it (what middleware sees on Fastify).
 */
export function recordOutcome(request: object, outcome: IdempotencyOutcome): void {
  outcomes.set(request, outcome);
  const raw = (request as { raw?: unknown }).raw;
  if (typeof raw === 'object' && raw !== null) outcomes.set(raw, outcome);
}

/**
 * The outcome for a request (`@Req()` on either platform, or the node:http request a middleware gets),
 * core's one shape `{ protected, replayed, stored, key }`: all false for a request idem did not touch.
 * `stored` is known once the response was sent, e.g. in a `finish` listener or a logging middleware.
 */
export function idempotencyOutcome(request: object): IdempotencyOutcome {
  return outcomes.get(request) ?? unprotectedOutcome();
}
