export { idempotency, type IdempotencyEnv } from './middleware';
export type { HonoIdempotencyOptions } from './options';
export type { IdempotencyOutcome, IdempotencyVariables } from './outcome';
export { idempotencyTransaction } from './transaction';
