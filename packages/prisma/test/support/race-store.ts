/**
 * The store a race child uses: the real PrismaStore, with every lease stretched to 60 s. The race
 * proves that concurrent acquires elect exactly one owner; it must not also depend on the machine
 * being idle. On a loaded machine a child's event loop can stall longer than the race's own 10 s
 * lease (better-sqlite3 waits for the write lock synchronously), and a duplicate would then take the
 * lease over — lease expiry by design, covered with injected time in the conformance suite.
 */
import type { IdempotencyStore } from '@idem/core';

const RACE_LEASE_MS = 60_000;

export function withRaceLease(store: IdempotencyStore, close: () => Promise<void>): IdempotencyStore {
  return {
    acquire: (key, fingerprint, options) => store.acquire(key, fingerprint, { ...options, lockTtlMs: RACE_LEASE_MS }),
    extend: (key, token, options) => store.extend(key, token, { ...options, lockTtlMs: RACE_LEASE_MS }),
    complete: (...args) => store.complete(...args),
    release: (...args) => store.release(...args),
    get: (...args) => store.get(...args),
    delete: (...args) => store.delete(...args),
    // The PrismaClient stands for the application's: the child disconnects it when done.
    close,
  };
}
