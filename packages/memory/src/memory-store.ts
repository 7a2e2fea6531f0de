/**
 * The in-process store. Every transition runs synchronously inside one call, so on a single event loop
 * it is atomic by construction. An insertion queue beside the Map makes "evict the oldest" O(1);
 * expired records are swept on an unref'd timer, so the store never keeps a process alive.
 */
import { randomUUID } from 'node:crypto';
import { InsertionQueue } from './insertion-queue';
import { ConfigurationError, StorageError, type AcquireOptions, type AcquireResult, type IdempotencyRecord, type IdempotencyStore } from '@idem/core';

export interface MemoryStoreOptions {
  /** Most records kept; past it the oldest is evicted. Default 10 000. */
  maxEntries?: number;
  /** How often expired records are swept, ms (0 turns the timer off). Default 60 000. */
  sweepInterval?: number;
  /** Namespace for keys, so several managers can share one store. Default none. */
  prefix?: string;
}

export class MemoryStore implements IdempotencyStore {
  private readonly records = new Map<string, Entry>();
  private readonly order = new InsertionQueue<Entry>();
  private readonly maxEntries: number;
  private readonly prefix: string;
  private readonly timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    const { maxEntries = 10_000, sweepInterval = 60_000, prefix = '' } = options;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new ConfigurationError('`maxEntries` must be a whole number ≥ 1');
    if (!Number.isSafeInteger(sweepInterval) || sweepInterval < 0) throw new ConfigurationError('`sweepInterval` must be a whole number of ms ≥ 0');
    if (typeof prefix !== 'string') throw new ConfigurationError('`prefix` must be a string');
    this.maxEntries = maxEntries;
    this.prefix = prefix;
    if (sweepInterval > 0) {
      this.timer = setInterval(() => this.sweep(Date.now()), sweepInterval);
      this.timer.unref?.();
    }
  }

  /** How many records are held (live or not yet swept). */
  get size(): number {
    return this.records.size;
  }

  async acquire(key: string, fingerprint: string, { lockTtlMs, ttlMs, now }: AcquireOptions): Promise<AcquireResult> {
    const id = this.prefix + key;
    const existing = this.live(id, now);
    if (existing?.status === 'completed') return { state: 'completed', record: publicRecord(existing) };
    if (existing && existing.lockExpiresAt > now) return { state: 'in_progress', record: publicRecord(existing) };
    const token = randomUUID();
    // A pending record lives at least as long as its lease, whatever `ttl` is (ttl counts from completion).
    const expiresAt = now + Math.max(ttlMs, lockTtlMs);
    const entry: Entry = { id, key, fingerprint, status: 'in_progress', createdAt: now, expiresAt, lockExpiresAt: now + lockTtlMs, token };
    this.records.set(id, entry);
    this.order.push(entry);
    this.evict(entry, now);
    return { state: 'acquired', token };
  }

  async complete(key: string, token: string, response: Uint8Array, { ttlMs, now }: { ttlMs: number; now: number }): Promise<boolean> {
    const record = this.owned(key, token, now);
    if (!record) return false;
    // The store keeps the caller's bytes without copying: core hands over a freshly encoded payload.
    record.status = 'completed';
    record.response = response;
    record.expiresAt = now + ttlMs;
    delete record.token;
    return true;
  }

  async release(key: string, token: string): Promise<boolean> {
    // No expiry check: the caller's clock may differ from ours, and a token match is what matters.
    const record = this.records.get(this.prefix + key);
    if (record?.status !== 'in_progress' || record.token !== token) return false;
    this.records.delete(this.prefix + key);
    return true;
  }

  async extend(key: string, token: string, { lockTtlMs, now }: { lockTtlMs: number; now: number }): Promise<boolean> {
    const record = this.owned(key, token, now);
    if (!record) return false;
    record.lockExpiresAt = now + lockTtlMs;
    // A renewed lease never outlives its record: a handler slower than `ttl` keeps its key.
    record.expiresAt = Math.max(record.expiresAt, record.lockExpiresAt);
    return true;
  }

  async get(key: string, options: { now?: number } = {}): Promise<IdempotencyRecord | undefined> {
    const record = this.live(this.prefix + key, options.now ?? Date.now());
    return record && publicRecord(record);
  }

  async delete(key: string): Promise<void> {
    this.records.delete(this.prefix + key);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.records.clear();
    this.order.clear();
  }

  /** Drops every record expired at `now`. Runs on the sweep timer; callable by hand. */
  sweep(now = Date.now()): number {
    let removed = 0;
    for (const [id, record] of this.records) {
      if (record.expiresAt <= now) {
        this.records.delete(id);
        removed++;
      }
    }
    return removed;
  }

  private live(id: string, now: number) {
    const record = this.records.get(id);
    if (record && record.expiresAt <= now) {
      this.records.delete(id);
      return undefined;
    }
    return record;
  }

  private owned(key: string, token: string, now: number) {
    const record = this.live(this.prefix + key, now);
    return record?.status === 'in_progress' && record.token === token ? record : undefined;
  }

  /**
   * Keeps the store within `maxEntries` by dropping the oldest record that is not a live lease: evicting
   * a running request's lease would let its duplicate run. If every record is a live lease, the new
   * one is refused (StorageError, so HTTP answers 503) rather than breaking that promise.
   */
  private evict(fresh: Entry, now: number): void {
    if (this.order.length > 2 * this.maxEntries + 1024) this.order.compact((entry) => this.records.get(entry.id) === entry);
    if (this.records.size <= this.maxEntries) return;
    for (let budget = this.order.length; budget > 0; budget--) {
      const entry = this.order.shift() as Entry;
      if (this.records.get(entry.id) !== entry) continue; // released, deleted or replaced since
      if (entry !== fresh && (entry.status === 'completed' || entry.expiresAt <= now || entry.lockExpiresAt <= now)) {
        this.records.delete(entry.id);
        return;
      }
      this.order.push(entry); // a live lease (or the new record): keep it
    }
    this.records.delete(fresh.id);
    throw new StorageError(`Memory store is full: ${this.maxEntries} requests are in progress at once`);
  }
}

interface Entry extends IdempotencyRecord {
  id: string;
  token?: string;
}

/** The record without its token. The response bytes are shared, not copied: records are read-only. */
function publicRecord(record: IdempotencyRecord): IdempotencyRecord {
  const { key, fingerprint, status, response, createdAt, expiresAt, lockExpiresAt } = record;
  return { key, fingerprint, status, response, createdAt, expiresAt, lockExpiresAt };
}
