export { IdempotencyModule } from './module';
export { IdempotencyInterceptor } from './interceptor';
export { Idempotent, IDEMPOTENT_METADATA, type IdempotentMetadata } from './decorator';
export { idempotencyOutcome, type IdempotencyOutcome } from './outcome';
export { idempotencyTransaction } from './transaction';
export {
  IDEMPOTENCY_OPTIONS,
  type NestIdempotencyOptions,
  type HandlerIdempotencyOptions,
  type IdempotencyModuleAsyncOptions,
  type NestRequest,
} from './options';
