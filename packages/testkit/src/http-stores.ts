/** Store wrappers for the HTTP suites: one whose every call fails, and forwarding ones that record the keys they see or freeze renewals. */
import type { IdempotencyStore, TransactionalStore } from '@idem/core';

/** Every method rejects, like a store whose server is down. */
export function failingStore(): IdempotencyStore {
  const fail = async (): Promise<never> => {
    throw new Error('connect ECONNREFUSED (simulated store outage)');
  };
  return { acquire: fail, complete: fail, release: fail, extend: fail, get: fail, delete: fail, close: async () => undefined };
}

/**
 * Passes every call of the store contract to `store`, except those `overrides` replaces. Not
 * `beginTransaction`: the wrapper is no transactional store unless it adds that itself.
 */
export function forwardingStore(store: IdempotencyStore, overrides: Partial<IdempotencyStore> = {}): IdempotencyStore {
  return {
    acquire: (...args) => store.acquire(...args),
    complete: (...args) => store.complete(...args),
    release: (...args) => store.release(...args),
    extend: (...args) => store.extend(...args),
    get: (...args) => store.get(...args),
    delete: (...args) => store.delete(...args),
    close: () => store.close(),
    ...overrides,
  };
}

/** Passes every call to `store`, remembering the keys given to `acquire`. */
export function keyRecordingStore(store: IdempotencyStore): IdempotencyStore & { keys: string[] } {
  const keys: string[] = [];
  const acquire: IdempotencyStore['acquire'] = (key, fingerprint, options) => {
    keys.push(key);
    return store.acquire(key, fingerprint, options);
  };
  return { keys, ...forwardingStore(store, { acquire }) };
}

/**
 * Passes every call to `store` except renewals, which report success without renewing: every lease
 * lapses one `lockTtl` after it was taken, as if its owner had frozen (a stalled process, a partition).
 */
export function frozenRenewals(store: TransactionalStore): TransactionalStore {
  return {
    ...forwardingStore(store, { extend: async () => true }),
    beginTransaction: (...args) => store.beginTransaction(...args),
  };
}
