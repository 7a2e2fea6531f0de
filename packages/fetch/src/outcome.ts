/** What the wrapper did with a response, readable by the caller (logs, metrics, tests). */
import type { IdempotencyOutcome } from '@idem/core';
import { unprotectedOutcome } from '@idem/core/adapter';

const outcomes = new WeakMap<Response, IdempotencyOutcome>();

/** Keeps core's outcome object for this response (`stored` is final once the wrapper returned it). */
export function recordOutcome(response: Response, outcome: IdempotencyOutcome): Response {
  outcomes.set(response, outcome);
  return response;
}

/** What idem did with the request this response answers: core's one shape, `{ protected, replayed, stored, key }`. */
export function idempotencyOutcome(response: Response): IdempotencyOutcome {
  return outcomes.get(response) ?? unprotectedOutcome();
}

/** True when this response is a replay of a stored one (the handler did not run). */
export function isReplayed(response: Response): boolean {
  return outcomes.get(response)?.replayed ?? false;
}

/** True when the handler's response was recorded for replay (committed before it was returned). */
export function wasStored(response: Response): boolean {
  return outcomes.get(response)?.stored ?? false;
}
