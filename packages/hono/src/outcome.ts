/** What the middleware did with a request, set as `c.get('idempotency')`: core's one outcome shape. */
import type { IdempotencyOutcome } from '@idem/core';

export type { IdempotencyOutcome };

/** The variables the middleware sets on each request it runs for: `c.get('idempotency')`. */
export interface IdempotencyVariables {
  idempotency: IdempotencyOutcome;
}
