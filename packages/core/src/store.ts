/**
 * The store contract. Each transition is ONE atomic step in the backend, so two concurrent duplicates
 * can never both see "no record" and both run (the check-then-set race of Get/Set/TryLock designs).
 *
 * Times are epoch milliseconds. Which clock decides expiry and lease takeover is the store's `clock`:
 * - `'caller'` (the default, and the memory store): the `now` each call is given, so expiry is testable
 *   without sleeping; native expiry (e.g. PEXPIRE) may still clean up, as long as `now` decides.
 * - `'store'` (Redis, SQL): the store's own clock (Redis' key expiry, the database's `now()`), the one
 *   clock every app server shares, so a server whose clock runs ahead cannot take a live lease over
 *   early. `now` then only stamps `createdAt`; `expiresAt` and `lockExpiresAt` are on the store's
 *   clock (or the writer's), a hint for `Retry-After` and polling, never a decision.
 */

export type RecordStatus = 'in_progress' | 'completed';

export interface IdempotencyRecord {
  /** The storage key as the manager passed it (scope and hashing already applied). */
  key: string;
  /** Hash of the request that created the record; a retry with another fingerprint is rejected. */
  fingerprint: string;
  status: RecordStatus;
  /** The encoded response (core's codec output), present once `status` is `completed`. */
  response?: Uint8Array;
  /** The `now` of the acquire that created it: names this lease's record (a takeover's differs). */
  createdAt: number;
  /** After this instant the record no longer exists for any operation. */
  expiresAt: number;
  /** While `in_progress`: after this instant the owner's lease may be taken over. */
  lockExpiresAt: number;
}

export interface AcquireOptions {
  /** How long the new owner's lease lasts before another request may take it over. */
  lockTtlMs: number;
  /**
   * How long the record lives. A pending record lives at least as long as its lease: its `expiresAt` is
   * `now + max(ttlMs, lockTtlMs)`, and `extend` keeps it at or past the lease end. `complete` then sets
   * the replay window from completion.
   */
  ttlMs: number;
  now: number;
}

export type AcquireResult =
  | { state: 'acquired'; token: string }
  | { state: 'in_progress'; record: IdempotencyRecord }
  | { state: 'completed'; record: IdempotencyRecord };

export type StoreClock = 'caller' | 'store';

export interface IdempotencyStore {
  /** Which clock decides expiry and takeover (see the top of this file). Absent means `'caller'`. */
  readonly clock?: StoreClock;
  /**
   * Atomically: if no live record exists for `key` (none, expired, or in progress with an expired lock),
   * create an `in_progress` record owned by a fresh token and return it; otherwise return the record.
   */
  acquire(key: string, fingerprint: string, options: AcquireOptions): Promise<AcquireResult>;
  /**
   * Store the response and mark the record completed, only if `token` still owns the lease (fencing).
   * Returns false when the lease was lost (expired and taken over, or released).
   */
  complete(key: string, token: string, response: Uint8Array, options: { ttlMs: number; now: number }): Promise<boolean>;
  /** Delete the in-progress record if `token` owns it, so a retry may run again. */
  release(key: string, token: string): Promise<boolean>;
  /**
   * Push the lease expiry to `now + lockTtlMs` if `token` still owns the record, and the record's own
   * expiry (`expiresAt`, and any native expiry such as Redis' PEXPIRE) to at least that lease end: while
   * a lease is renewed its record never expires, however long the handler runs past `ttl`. A lease past its lock
   * expiry that nobody took over is still owned: only a new `acquire` replaces the token.
   */
  extend(key: string, token: string, options: { lockTtlMs: number; now: number }): Promise<boolean>;
  /** The live record at `now`, or undefined. */
  get(key: string, options?: { now?: number }): Promise<IdempotencyRecord | undefined>;
  delete(key: string): Promise<void>;
  /** Release resources the store created itself (never a client the user passed in). */
  close(): Promise<void>;
}
