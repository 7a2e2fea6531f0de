/**
 * What idem did with a request, in one shape for every middleware (`c.get('idempotency')`,
 * `ctx.state.idempotency`, `request.idempotency`, `idempotencyOutcome(res)`, ...).
 */
export interface IdempotencyOutcome {
  /**
   * The request was answered under idem's protection: the handler ran under a lease, or the answer came
   * from the key's record (a replay, 409 in progress, 422 mismatch). False when idem passed the request
   * through, refused it before any lease (missing or invalid key, 413, 503), or ran it unprotected
   * (`failOpen` while the store is down).
   */
  protected: boolean;
  /** The answer is a replay of a stored response: the handler did not run. */
  replayed: boolean;
  /** The handler's response was recorded for replay (committed before it was sent). */
  stored: boolean;
  /** The key the client sent (unquoted), once it was found and valid; undefined otherwise. */
  key: string | undefined;
}

/** The outcome of a request idem did not touch (or has not decided on yet). */
export function unprotectedOutcome(key?: string): IdempotencyOutcome {
  return { protected: false, replayed: false, stored: false, key };
}
