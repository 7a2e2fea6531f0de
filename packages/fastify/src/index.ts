export { idempotency } from './plugin';
export type { FastifyIdempotencyOptions, RouteIdempotencyConfig } from './options';
export type { IdempotencyOutcome } from './outcome';
export { idempotencyTransaction } from './transaction';
