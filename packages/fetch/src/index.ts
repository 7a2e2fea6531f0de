export { idempotency, type FetchHandler, type Protect } from './wrapper';
export { isReplayed, wasStored } from './outcome';
export { idempotencyTransaction } from './transaction';
export type { FetchIdempotencyOptions } from './options';
