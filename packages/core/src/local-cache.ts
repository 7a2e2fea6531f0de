/**
 * An optional in-process cache of completed records in front of any store: a completed record never
 * changes until it expires (only `delete` removes it early), so a hot replay can be answered from this
 * process's memory with no round trip to a shared store.
 *
 * What it never does: cache or serve a pending record (a lease is always asked of the store, so
 * exactly-once is the store's as before), or outlive a `delete` made through it. A `delete` made in
 * another process (or straight on the inner store) is not seen here: this process keeps replaying its
 * cached copy until the record's `expiresAt` (read with the caller's clock) or until it is evicted.
 * Bounded by entries (`max`) and bytes (`maxBytes`), least recently used first out.
 */
import { ConfigurationError } from './errors';
import type { AcquireOptions, AcquireResult, IdempotencyRecord, IdempotencyStore } from './store';
import { isTransactionalStore, type StoreTransaction, type TransactionalStore, type TransactionOptions } from './transaction';

export interface LocalCacheOptions {
  /** Most completed records kept in this process. */
  max: number;
  /** Most response bytes kept in this process; a record larger than this is never cached. Default 16 MiB. */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Wraps `store` with a bounded cache of its completed records. Delete through the returned store, so
 * this process's copy goes with the record. Transactions and the store's `clock` pass through.
 */
export function withLocalCache<S extends IdempotencyStore>(
  store: S,
  options: LocalCacheOptions,
): IdempotencyStore & (S extends TransactionalStore ? TransactionalStore : unknown) {
  const { max, maxBytes = DEFAULT_MAX_BYTES } = options ?? ({} as LocalCacheOptions);
  if (!Number.isSafeInteger(max) || max < 1) throw new ConfigurationError('`localCache.max` must be a whole number of records ≥ 1');
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0)
    throw new ConfigurationError('`localCache.maxBytes` must be a whole number of bytes ≥ 0');
  if (!store || typeof store.acquire !== 'function') throw new ConfigurationError('withLocalCache needs a store');
  const cached = new LocalCacheStore(store, max, maxBytes);
  if (isTransactionalStore(store)) {
    (cached as unknown as TransactionalStore).beginTransaction = (transactionOptions?: TransactionOptions): Promise<StoreTransaction> =>
      store.beginTransaction(transactionOptions);
  }
  return cached as unknown as IdempotencyStore & (S extends TransactionalStore ? TransactionalStore : unknown);
}

class LocalCacheStore implements IdempotencyStore {
  readonly clock: IdempotencyStore['clock'];
  /** Insertion order is recency: a hit moves its entry to the end, eviction takes from the front. */
  private readonly records = new Map<string, IdempotencyRecord>();
  private bytes = 0;
  /**
   * Bumped by every delete. A read that began before a delete may return the record the delete then
   * removed: it is only cached if no delete happened while it was in flight.
   */
  private deletes = 0;

  constructor(
    private readonly inner: IdempotencyStore,
    private readonly max: number,
    private readonly maxBytes: number,
  ) {
    this.clock = inner.clock;
  }

  async acquire(key: string, fingerprint: string, options: AcquireOptions): Promise<AcquireResult> {
    const hit = this.lookup(key, options.now);
    if (hit) return { state: 'completed', record: hit };
    const deletes = this.deletes;
    const result = await this.inner.acquire(key, fingerprint, options);
    if (result.state === 'completed') this.remember(key, result.record, deletes);
    return result;
  }

  complete(key: string, token: string, response: Uint8Array, options: { ttlMs: number; now: number }): Promise<boolean> {
    return this.inner.complete(key, token, response, options);
  }

  release(key: string, token: string): Promise<boolean> {
    return this.inner.release(key, token);
  }

  extend(key: string, token: string, options: { lockTtlMs: number; now: number }): Promise<boolean> {
    return this.inner.extend(key, token, options);
  }

  async get(key: string, options?: { now?: number }): Promise<IdempotencyRecord | undefined> {
    const hit = this.lookup(key, options?.now ?? Date.now());
    if (hit) return hit;
    const deletes = this.deletes;
    const record = await this.inner.get(key, options);
    if (record?.status === 'completed') this.remember(key, record, deletes);
    return record;
  }

  async delete(key: string): Promise<void> {
    this.deletes++;
    this.forget(key);
    await this.inner.delete(key);
  }

  close(): Promise<void> {
    this.records.clear();
    this.bytes = 0;
    return this.inner.close();
  }

  private lookup(key: string, now: number): IdempotencyRecord | undefined {
    const record = this.records.get(key);
    if (!record) return undefined;
    this.records.delete(key);
    if (record.expiresAt <= now) {
      this.bytes -= sizeOf(record);
      return undefined;
    }
    this.records.set(key, record);
    return record;
  }

  private remember(key: string, record: IdempotencyRecord, deletesBefore: number): void {
    const size = sizeOf(record);
    if (deletesBefore !== this.deletes || size > this.maxBytes) return;
    this.forget(key);
    this.records.set(key, record);
    this.bytes += size;
    for (const [oldest, entry] of this.records) {
      if (this.records.size <= this.max && this.bytes <= this.maxBytes) break;
      this.records.delete(oldest);
      this.bytes -= sizeOf(entry);
    }
  }

  private forget(key: string): void {
    const record = this.records.get(key);
    if (!record) return;
    this.records.delete(key);
    this.bytes -= sizeOf(record);
  }
}

function sizeOf(record: IdempotencyRecord): number {
  return record.response?.byteLength ?? 0;
}
