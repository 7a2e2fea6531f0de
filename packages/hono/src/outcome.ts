/** What the middleware did with a request, set as `c.get('idempotency')` for later middleware and logs. */
export interface IdempotencyOutcome {
  /** The request was protected (a key was present and the method is protected). */
  protected: boolean;
  /** The response is a replay of a stored one: the handler did not run. */
  replayed: boolean;
  /** The handler's response was recorded for replay (committed before it was sent). */
  stored: boolean;
}

/** The variables the middleware sets on each request it runs for: `c.get('idempotency')`. */
export interface IdempotencyVariables {
  idempotency: IdempotencyOutcome;
}
