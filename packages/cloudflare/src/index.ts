export { DurableObjectStore, type DurableObjectStoreOptions } from './durable-object-store';
export { IdempotencyDurableObject } from './idempotency-durable-object';
export { D1Store, d1, type D1StoreOptions } from './d1-store';
export type {
  DurableObjectNamespaceLike,
  DurableObjectStubLike,
  DurableObjectStateLike,
  DurableObjectStorageLike,
  D1DatabaseLike,
  D1PreparedStatementLike,
} from './bindings';
