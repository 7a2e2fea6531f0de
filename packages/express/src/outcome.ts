/** What the middleware did with a response, readable by the app (logs, metrics, tests). */
import type { ServerResponse } from 'node:http';
import type { IdempotencyOutcome } from '@idem/core';
import { unprotectedOutcome } from '@idem/core/adapter';

// A WeakMap, not a property on the response: adding a property to a response whose prototype Express
// replaced costs V8 a new hidden class per response.
const outcomes = new WeakMap<ServerResponse, IdempotencyOutcome>();

/** Keeps core's outcome object for this response: core updates `stored` on it once the record is written. */
export function recordOutcome(res: ServerResponse, outcome: IdempotencyOutcome): void {
  outcomes.set(res, outcome);
}

/**
 * What idem did with this request, core's one shape for every middleware: `{ protected, replayed,
 * stored, key }` (`key`: the key the client sent). `stored` is known once the handler ended the
 * response (the record is committed before the first byte is sent), e.g. in a `finish` listener.
 */
export function idempotencyOutcome(res: ServerResponse): IdempotencyOutcome {
  return outcomes.get(res) ?? unprotectedOutcome();
}

/** True when this response is a replay of a stored one (the handler did not run). */
export function isReplayed(res: ServerResponse): boolean {
  return outcomes.get(res)?.replayed ?? false;
}

/** True when the handler's response was recorded for replay (known once the handler ended the response). */
export function wasStored(res: ServerResponse): boolean {
  return outcomes.get(res)?.stored ?? false;
}
