/** What idem did with a request, readable from the request object (logs, metrics, tests). */
export interface IdempotencyOutcome {
  /** The request was protected (a key was present, the method and handler are protected). */
  protected: boolean;
  /** The response is a replay of a stored one: the handler did not run. */
  replayed: boolean;
  /** The handler's response was recorded for replay (known once the response was sent). */
  stored: boolean;
}

const outcomes = new WeakMap<object, IdempotencyOutcome>();

/** Recorded under the platform's request and the node:http request under it (what middleware sees on Fastify). */
export function recordOutcome(request: object, outcome: Partial<IdempotencyOutcome>): void {
  const next = { ...idempotencyOutcome(request), ...outcome };
  outcomes.set(request, next);
  const raw = (request as { raw?: unknown }).raw;
  if (typeof raw === 'object' && raw !== null) outcomes.set(raw, next);
}

/**
 * The outcome for a request (`@Req()` on either platform, or the node:http request a middleware gets):
 * all false for a request idem did not touch.
 * `stored` is known once the response was sent, e.g. in a `finish` listener or a logging middleware.
 */
export function idempotencyOutcome(request: object): IdempotencyOutcome {
  return outcomes.get(request) ?? { protected: false, replayed: false, stored: false };
}
