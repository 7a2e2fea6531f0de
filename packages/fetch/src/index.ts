export { idempotency, type FetchHandler, type Protect } from './wrapper';
export { idempotencyOutcome, isReplayed, wasStored } from './outcome';
export type { IdempotencyOutcome } from '@idem/core';
export { idempotencyTransaction } from './transaction';
export type { FetchIdempotencyOptions } from './options';
