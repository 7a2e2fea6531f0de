export { idempotency, type IdempotencyMiddleware, type NextFunction } from './middleware';
export { idempotencyOutcome, isReplayed, wasStored } from './outcome';
export type { IdempotencyOutcome } from '@idem/core';
export { idempotencyTransaction } from './transaction';
export type { ExpressIdempotencyOptions } from './options';
export { DEFAULT_MAX_BODY_BYTES } from '@idem/core';
