export { idempotency, type FetchHandler, type Protect } from './wrapper';
export { isReplayed, wasStored } from './outcome';
export type { FetchIdempotencyOptions } from './options';
