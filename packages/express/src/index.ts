export { idempotency, type IdempotencyMiddleware, type NextFunction } from './middleware';
export { isReplayed, wasStored } from './outcome';
export { DEFAULT_MAX_BODY_BYTES, type ExpressIdempotencyOptions } from './options';
