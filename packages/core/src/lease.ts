/**
 * An acquired lease on a key: renews itself while the handler runs (every third of `lockTtl`, on an
 * unref'd timer), and ends exactly once, either by completing with the response or by releasing.
 */
import { traceStoreCall } from './diagnostics';
import { CommitOutcomeUnknownError, toStorageError, type IdempotencyError } from './errors';
import type { IdempotencyStore } from './store';
import type { StoreTransaction } from './transaction';

/** Shared by every lease of one manager (built once, not per request). */
export interface LeaseSettings {
  lockTtl: number;
  ttl: number;
  now: () => number;
  /** `key` is the storage key, `clientKey` the key the client sent. */
  onLeaseLost: (key: string, clientKey: string) => void;
  onStoreError: (error: IdempotencyError, key: string, clientKey: string) => void;
}

const RETRY_START_MS = 50;
const RETRY_MAX_MS = 1_000;

export class Lease {
  private timer: ReturnType<typeof setInterval> | undefined;
  private ended = false;
  private lostReported = false;

  constructor(
    private readonly store: IdempotencyStore,
    readonly key: string,
    private readonly token: string,
    private readonly settings: LeaseSettings,
    /** The `now` the lease was acquired at: the record's `createdAt`, which no later owner can share. */
    private readonly acquiredAt: number,
    /** The key the client sent, for the hooks (`key` is the storage key). */
    readonly clientKey: string = key,
  ) {
    // One function for every lease's timer, the lease its argument: no closure per request.
    this.timer = setInterval(Lease.renewOnTimer, this.renewEvery(), this);
    this.timer.unref?.();
  }

  /** True once a renewal or completion found another owner holding the key. */
  get lost(): boolean {
    return this.lostReported;
  }

  /**
   * Stores the encoded response; false when the lease was lost (the other owner's result stands).
   *
   * If the store fails here, the handler has already run: throws StorageError, but retries `complete`
   * in the background (every third of `lockTtl` at most) until it lands, the lease is lost, or `ttl`
   * passes. Giving up would let a retry run the handler again as soon as the lease expired; retrying
   * makes the record land as soon as the store is back, normally before the lease can be taken over.
   * (No renewals meanwhile: while the store is down they fail too, and once it is back the complete
   * itself succeeds.)
   */
  async complete(payload: Uint8Array): Promise<boolean> {
    if (this.ended) return false;
    this.ended = true;
    this.stopRenewing();
    try {
      return await this.tryComplete(payload);
    } catch (error) {
      this.retryComplete(payload, this.settings.now() + this.settings.ttl, RETRY_START_MS);
      throw toStorageError(error, 'complete');
    }
  }

  /**
   * Stores the encoded response inside the handler's transaction, which commits only if this lease
   * still owns the key; false when it was lost (rolled back: the other owner's result stands). No
   * background retry here, unlike `complete`: a failed transaction left nothing behind, so the key is
   * released and a retry runs again at once; only when COMMIT's outcome is unknown is the lease kept,
   * so a retry waits for it to expire and then replays the record or runs on a clean slate.
   */
  async completeIn(transaction: StoreTransaction, payload: Uint8Array): Promise<boolean> {
    if (this.ended) {
      await transaction.rollback();
      return false;
    }
    this.ended = true;
    this.stopRenewing();
    let owned: boolean;
    try {
      owned = await traceStoreCall('complete', this.key, () =>
        transaction.complete(this.key, this.token, payload, { ttlMs: this.settings.ttl, now: this.settings.now() }),
      );
    } catch (error) {
      if (!(error instanceof CommitOutcomeUnknownError)) await this.releaseRecord();
      throw toStorageError(error, 'complete');
    }
    if (!owned) this.reportLost();
    return owned;
  }

  /** Gives the key up so a retry may run again. Never throws: a failed release expires with the lock. */
  async release(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.stopRenewing();
    await this.releaseRecord();
  }

  private async releaseRecord(): Promise<void> {
    try {
      await traceStoreCall('release', this.key, () => this.store.release(this.key, this.token));
    } catch (error) {
      this.settings.onStoreError(toStorageError(error, 'release'), this.key, this.clientKey);
    }
  }

  /** The store's fenced complete; a refusal is checked apart. A promise chain, not a second async layer under `complete`. */
  private tryComplete(payload: Uint8Array): Promise<boolean> {
    return traceStoreCall('complete', this.key, () =>
      this.store.complete(this.key, this.token, payload, { ttlMs: this.settings.ttl, now: this.settings.now() }),
    ).then((owned) => owned || this.refused(payload));
  }

  /** The store refused: either the lease was lost, or an earlier attempt landed and only its answer was lost. */
  private async refused(payload: Uint8Array): Promise<boolean> {
    if (await this.completedByThisLease(payload)) return true;
    this.reportLost();
    return false;
  }

  /**
   * True when the key holds the record this lease completed: its `createdAt` is this lease's (a takeover
   * acquires at least one `lockTtl` later, so no other owner's record carries it) and it holds exactly
   * these bytes. A takeover's response that happens to be identical still differs in `createdAt`, so a
   * second execution is never mistaken for this one.
   */
  private async completedByThisLease(payload: Uint8Array): Promise<boolean> {
    const record = await traceStoreCall('get', this.key, () => this.store.get(this.key, { now: this.settings.now() }));
    return (
      record?.status === 'completed' &&
      record.createdAt === this.acquiredAt &&
      record.response !== undefined &&
      sameBytes(record.response, payload)
    );
  }

  private retryComplete(payload: Uint8Array, deadline: number, delay: number): void {
    if (this.lostReported || this.settings.now() >= deadline) return;
    const retry = setTimeout(async () => {
      try {
        await this.tryComplete(payload);
      } catch (error) {
        this.settings.onStoreError(toStorageError(error, 'complete'), this.key, this.clientKey);
        this.retryComplete(payload, deadline, Math.min(delay * 2, RETRY_MAX_MS, this.renewEvery()));
      }
    }, delay);
    retry.unref?.();
  }

  private renewEvery(): number {
    return Math.max(1, Math.floor(this.settings.lockTtl / 3));
  }

  private stopRenewing(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private static renewOnTimer(lease: Lease): void {
    void lease.renew();
  }

  private async renew(): Promise<void> {
    try {
      const owned = await traceStoreCall('extend', this.key, () =>
        this.store.extend(this.key, this.token, { lockTtlMs: this.settings.lockTtl, now: this.settings.now() }),
      );
      if (!owned && this.timer !== undefined) {
        this.stopRenewing();
        this.reportLost();
      }
    } catch (error) {
      // A failed renewal is retried on the next tick; the lease only lapses after a whole lockTtl.
      if (this.timer !== undefined) this.settings.onStoreError(toStorageError(error, 'extend'), this.key, this.clientKey);
    }
  }

  private reportLost(): void {
    if (this.lostReported) return;
    this.lostReported = true;
    this.settings.onLeaseLost(this.key, this.clientKey);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
