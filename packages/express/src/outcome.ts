/**
 * What the middleware did with a response, readable by the app (logs, metrics, tests). Kept under a
 * symbol on the response rather than in a WeakMap: a WeakMap entry per request costs the garbage
 * collector more than the property does.
 */
import type { ServerResponse } from 'node:http';

interface Outcome {
  replayed: boolean;
  stored: boolean;
}

const OUTCOME = Symbol('idem.outcome');
type WithOutcome = ServerResponse & { [OUTCOME]?: Outcome };

export function recordOutcome(res: ServerResponse, outcome: Partial<Outcome>): void {
  const target = res as WithOutcome;
  const current = target[OUTCOME];
  target[OUTCOME] = { replayed: outcome.replayed ?? current?.replayed ?? false, stored: outcome.stored ?? current?.stored ?? false };
}

/** True when this response is a replay of a stored one (the handler did not run). */
export function isReplayed(res: ServerResponse): boolean {
  return (res as WithOutcome)[OUTCOME]?.replayed ?? false;
}

/**
 * True when the handler's response was recorded for replay. Known once the handler has ended the
 * response (the record is committed before the first byte is sent), e.g. in a `finish` listener.
 */
export function wasStored(res: ServerResponse): boolean {
  return (res as WithOutcome)[OUTCOME]?.stored ?? false;
}
