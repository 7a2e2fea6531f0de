/** What the middleware did with a response, readable by the app (logs, metrics, tests). */
import type { ServerResponse } from 'node:http';

interface Outcome {
  replayed: boolean;
  stored: boolean;
}

const outcomes = new WeakMap<ServerResponse, Outcome>();

export function recordOutcome(res: ServerResponse, outcome: Partial<Outcome>): void {
  const current = outcomes.get(res) ?? { replayed: false, stored: false };
  outcomes.set(res, { ...current, ...outcome });
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
