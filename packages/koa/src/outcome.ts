/** What the middleware did with a request: `ctx.state.idempotency`, core's one outcome shape. */
import type { IdempotencyOutcome } from '@idem/core';

export type { IdempotencyOutcome };

/** Koa state with the outcome: `Koa<IdempotencyState>` / `ParameterizedContext<IdempotencyState>`. */
export interface IdempotencyState {
  idempotency: IdempotencyOutcome;
}
