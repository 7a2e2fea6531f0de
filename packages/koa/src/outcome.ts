/** What the middleware did with a request: `ctx.state.idempotency`. */
export interface IdempotencyOutcome {
  /** The request was protected (a key was present and the method is protected). */
  protected: boolean;
  /** The response is a replay of a stored one: the handler did not run. */
  replayed: boolean;
  /** The handler's response was recorded for replay (committed before it was sent). */
  stored: boolean;
}

/** Koa state with the outcome: `Koa<IdempotencyState>` / `ParameterizedContext<IdempotencyState>`. */
export interface IdempotencyState {
  idempotency: IdempotencyOutcome;
}
