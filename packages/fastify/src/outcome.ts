/** What the plugin did with a request: `request.idempotency`, e.g. for an `onResponse` log line. */
export interface IdempotencyOutcome {
  /** The request was protected (a key was present, the method and route are protected). */
  protected: boolean;
  /** The response is a replay of a stored one: the handler did not run. */
  replayed: boolean;
  /** The handler's response was recorded for replay (committed before it was sent). */
  stored: boolean;
}

export const initialOutcome = (): IdempotencyOutcome => ({ protected: false, replayed: false, stored: false });
