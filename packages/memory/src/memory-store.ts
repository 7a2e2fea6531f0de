/**
 * The in-process store. Every transition runs synchronously inside one call, so on a single event loop
 * it is atomic by construction. Expired records are swept on an unref'd timer, so the store never keeps
 * a process alive.
 *
 * Bounded twice: by record count (`maxEntries`) and by bytes (`maxBytes`, responses included). Past
 * either bound the oldest finished record is evicted; a running request's lease never is, since that
 * would let its duplicate run. Two queues keep every eviction and every refusal O(1) amortised:
 * finished records in completion order, and pending ones in order of their last renewal (a renewal
 * re-queues its record), so a lease that stopped renewing drifts to the front, and when the front one
 * is still live, so (to within one lease length) is every other: the store is full of running requests.
 */
import { randomUUID } from 'node:crypto';
import { InsertionQueue } from './insertion-queue';
import {
  ConfigurationError,
  DEFAULT_PREFIX,
  namespacedKey,
  StorageError,
  type AcquireOptions,
  type AcquireResult,
  type IdempotencyRecord,
  type IdempotencyStore,
} from '@idem/core';

export interface MemoryStoreOptions {
  /** Most records kept; past it the oldest finished record is evicted. Default 10 000. */
  maxEntries?: number;
  /** Most bytes kept (responses, keys, fingerprints and a per-record overhead); past it the oldest finished record is evicted. Default 64 MiB. */
  maxBytes?: number;
  /** How often expired records are swept, ms (0 turns the timer off). Default 60 000. */
  sweepInterval?: number;
  /** Namespace for keys, so several managers can share one store (records are named `prefix:key`, see `namespacedKey`). Default `idem`. */
  prefix?: string;
}

/** What one record costs beside its response, key and fingerprint: the Map slot, the object, the queue items. */
const RECORD_OVERHEAD_BYTES = 256;
const MIN_MAX_BYTES = 1024;

export class MemoryStore implements IdempotencyStore {
  private readonly records = new Map<string, Entry>();
  /** Completed records, oldest completion first. */
  private readonly finished = new InsertionQueue<Queued>();
  /** Pending records, least recently acquired or renewed first. */
  private readonly pending = new InsertionQueue<Queued>();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly prefix: string;
  private readonly timer: ReturnType<typeof setInterval> | undefined;
  private heldBytes = 0;
  private sequence = 0;

  constructor(options: MemoryStoreOptions = {}) {
    const { maxEntries = 10_000, maxBytes = 64 * 1024 * 1024, sweepInterval = 60_000, prefix = DEFAULT_PREFIX } = options;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new ConfigurationError('`maxEntries` must be a whole number ≥ 1');
    if (!Number.isSafeInteger(maxBytes) || maxBytes < MIN_MAX_BYTES)
      throw new ConfigurationError(`\`maxBytes\` must be a whole number of bytes ≥ ${MIN_MAX_BYTES}`);
    if (!Number.isSafeInteger(sweepInterval) || sweepInterval < 0)
      throw new ConfigurationError('`sweepInterval` must be a whole number of ms ≥ 0');
    if (typeof prefix !== 'string') throw new ConfigurationError('`prefix` must be a string');
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
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

  /** How many bytes the held records count against `maxBytes`. */
  get bytes(): number {
    return this.heldBytes;
  }

  async acquire(key: string, fingerprint: string, { lockTtlMs, ttlMs, now }: AcquireOptions): Promise<AcquireResult> {
    const id = namespacedKey(this.prefix, key);
    const existing = this.live(id, now);
    if (existing?.status === 'completed') return { state: 'completed', record: publicRecord(existing) };
    if (existing && existing.lockExpiresAt > now) return { state: 'in_progress', record: publicRecord(existing) };
    if (existing) this.remove(existing); // a lease nobody renewed: taken over
    const token = randomUUID();
    // A pending record lives at least as long as its lease, whatever `ttl` is (ttl counts from completion).
    const expiresAt = now + Math.max(ttlMs, lockTtlMs);
    const entry: Entry = {
      id,
      key,
      fingerprint,
      status: 'in_progress',
      createdAt: now,
      expiresAt,
      lockExpiresAt: now + lockTtlMs,
      token,
      // Present from the start, so completing a record changes no hidden class.
      response: undefined,
      bytes: 0,
      queued: 0,
    };
    this.records.set(id, entry);
    this.resize(entry, RECORD_OVERHEAD_BYTES + 2 * id.length + 2 * fingerprint.length);
    this.enqueue(this.pending, entry);
    if (!this.makeRoom(entry, now)) {
      this.remove(entry);
      throw new StorageError(
        `Memory store is full: every record is a request in progress (maxEntries ${this.maxEntries}, maxBytes ${this.maxBytes})`,
      );
    }
    return { state: 'acquired', token };
  }

  async complete(key: string, token: string, response: Uint8Array, { ttlMs, now }: { ttlMs: number; now: number }): Promise<boolean> {
    const record = this.owned(key, token, now);
    if (!record) return false;
    // The store keeps the caller's bytes without copying: core hands over a freshly encoded payload.
    record.status = 'completed';
    record.response = response;
    record.expiresAt = now + ttlMs;
    // Cleared, not deleted: a delete would drop every completed record into slow dictionary mode.
    record.token = undefined;
    this.resize(record, record.bytes + response.byteLength);
    this.enqueue(this.finished, record);
    // Older finished records make room for this one. A single response larger than `maxBytes` is kept
    // anyway (alone): refusing it here would lose the result of a handler that already ran.
    this.makeRoom(record, now);
    return true;
  }

  async release(key: string, token: string): Promise<boolean> {
    // No expiry check: the caller's clock may differ from ours, and a token match is what matters.
    const record = this.records.get(namespacedKey(this.prefix, key));
    if (record?.status !== 'in_progress' || record.token !== token) return false;
    this.remove(record);
    return true;
  }

  async extend(key: string, token: string, { lockTtlMs, now }: { lockTtlMs: number; now: number }): Promise<boolean> {
    const record = this.owned(key, token, now);
    if (!record) return false;
    record.lockExpiresAt = now + lockTtlMs;
    // A renewed lease never outlives its record: a handler slower than `ttl` keeps its key.
    record.expiresAt = Math.max(record.expiresAt, record.lockExpiresAt);
    this.enqueue(this.pending, record);
    return true;
  }

  async get(key: string, options: { now?: number } = {}): Promise<IdempotencyRecord | undefined> {
    const record = this.live(namespacedKey(this.prefix, key), options.now ?? Date.now());
    return record && publicRecord(record);
  }

  async delete(key: string): Promise<void> {
    const record = this.records.get(namespacedKey(this.prefix, key));
    if (record) this.remove(record);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.records.clear();
    this.finished.clear();
    this.pending.clear();
    this.heldBytes = 0;
  }

  /** Drops every record expired at `now`. Runs on the sweep timer; callable by hand. */
  sweep(now = Date.now()): number {
    let removed = 0;
    for (const record of [...this.records.values()]) {
      if (record.expiresAt <= now) {
        this.remove(record);
        removed++;
      }
    }
    return removed;
  }

  private live(id: string, now: number) {
    const record = this.records.get(id);
    if (record && record.expiresAt <= now) {
      this.remove(record);
      return undefined;
    }
    return record;
  }

  private owned(key: string, token: string, now: number) {
    const record = this.live(namespacedKey(this.prefix, key), now);
    return record?.status === 'in_progress' && record.token === token ? record : undefined;
  }

  private remove(entry: Entry): void {
    if (this.records.get(entry.id) !== entry) return;
    this.records.delete(entry.id);
    this.heldBytes -= entry.bytes;
  }

  private resize(entry: Entry, bytes: number): void {
    this.heldBytes += bytes - entry.bytes;
    entry.bytes = bytes;
  }

  /** Queues `entry` at the back of `queue`; its older queue items become stale and are skipped. */
  private enqueue(queue: InsertionQueue<Queued>, entry: Entry): void {
    entry.queued = ++this.sequence;
    queue.push({ entry, sequence: entry.queued });
    // Renewals and stale items of removed records are dropped once they outnumber the records.
    if (queue.length > 2 * this.records.size + 1024) queue.compact((item) => this.current(item));
  }

  private current(item: Queued): boolean {
    return this.records.get(item.entry.id) === item.entry && item.entry.queued === item.sequence;
  }

  /**
   * Evicts until both bounds hold, never `keep` (the record just written) and never a live lease.
   * False when the bounds still do not hold because only live leases (and `keep`) are left.
   */
  private makeRoom(keep: Entry, now: number): boolean {
    while (this.records.size > this.maxEntries || this.heldBytes > this.maxBytes) {
      const victim = this.oldestFinished(keep) ?? this.oldestLapsedLease(keep, now);
      if (!victim) return false;
      this.remove(victim);
    }
    return true;
  }

  private oldestFinished(keep: Entry): Entry | undefined {
    return this.front(this.finished, (entry) => entry !== keep);
  }

  private oldestLapsedLease(keep: Entry, now: number): Entry | undefined {
    return this.front(this.pending, (entry) => entry !== keep && (entry.lockExpiresAt <= now || entry.expiresAt <= now));
  }

  /** The front record of `queue` if `evictable` accepts it (stale items are dropped on the way): O(1) amortised. */
  private front(queue: InsertionQueue<Queued>, evictable: (entry: Entry) => boolean): Entry | undefined {
    for (let item = queue.peek(); item !== undefined; item = queue.peek()) {
      if (!this.current(item)) {
        queue.shift();
        continue;
      }
      return evictable(item.entry) ? item.entry : undefined;
    }
    return undefined;
  }
}

interface Entry extends IdempotencyRecord {
  id: string;
  token?: string;
  /** What this record counts against `maxBytes`. */
  bytes: number;
  /** The sequence number of its latest queue item: older items for it are stale. */
  queued: number;
}

interface Queued {
  entry: Entry;
  sequence: number;
}

/** The record without its token. The response bytes are shared, not copied: records are read-only. */
function publicRecord(record: IdempotencyRecord): IdempotencyRecord {
  const { key, fingerprint, status, response, createdAt, expiresAt, lockExpiresAt } = record;
  return { key, fingerprint, status, response, createdAt, expiresAt, lockExpiresAt };
}
