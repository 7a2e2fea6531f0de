export { idempotency } from './middleware';
export type { KoaIdempotencyOptions } from './options';
export type { IdempotencyOutcome, IdempotencyState } from './outcome';
export { idempotencyTransaction } from './transaction';
