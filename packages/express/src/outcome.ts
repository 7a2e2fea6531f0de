/** What the middleware did with a response, readable by the app (logs, metrics, tests). */
import type { ServerResponse } from 'node:http';

interface Outcome {
  replayed: boolean;
  stored: boolean;
}

// A WeakMap, not a property on the response: adding a property to a response whose prototype Express
// replaced costs V8 a new hidden class per response.
const outcomes = new WeakMap<ServerResponse, Outcome>();

export function recordOutcome(res: ServerResponse, outcome: Partial<Outcome>): void {
  const current = outcomes.get(res);
  outcomes.set(res, { replayed: outcome.replayed ?? current?.replayed ?? false, stored: outcome.stored ?? current?.stored ?? false });
}

/** True when this response is a replay of a stored one (the handler did not run). */
export function isReplayed(res: ServerResponse): boolean {
  return outcomes.get(res)?.replayed ?? false;
}

/**
 * True when the handler's response was recorded for replay. Known once the handler has ended the
 * response (the record is committed before the first byte is sent), e.g. in a `finish` listener.
 */
export function wasStored(res: ServerResponse): boolean {
  return outcomes.get(res)?.stored ?? false;
}
