/** What the wrapper did with a response, readable by the caller (logs, metrics, tests). */
interface Outcome {
  replayed: boolean;
  stored: boolean;
}

const outcomes = new WeakMap<Response, Outcome>();

export function recordOutcome(response: Response, outcome: Outcome): Response {
  outcomes.set(response, outcome);
  return response;
}

/** True when this response is a replay of a stored one (the handler did not run). */
export function isReplayed(response: Response): boolean {
  return outcomes.get(response)?.replayed ?? false;
}

/** True when the handler's response was recorded for replay (committed before it was returned). */
export function wasStored(response: Response): boolean {
  return outcomes.get(response)?.stored ?? false;
}
