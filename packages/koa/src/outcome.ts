/** What the middleware did with a request: `ctx.state.idempotency`, core's one outcome shape. */
import type { IdempotencyOutcome } from '@idem/core';

export type { IdempotencyOutcome };

/**
 * Koa state with the outcome: `Koa<IdempotencyState>` / `ParameterizedContext<IdempotencyState>`. It is
 * optional: a request the middleware did not run for (a route it is not mounted on) has no outcome.
 */
export interface IdempotencyState {
  idempotency?: IdempotencyOutcome;
}
