/**
 * An acquired lease on a key: renews itself while the handler runs (every third of `lockTtl`, on an
 * unref'd timer), and ends exactly once, either by completing with the response or by releasing.
 */
import { toStorageError, type IdempotencyError } from './errors';
import type { IdempotencyStore } from './store';

/** Shared by every lease of one manager (built once, not per request). */
export interface LeaseSettings {
  lockTtl: number;
  ttl: number;
  now: () => number;
  onLeaseLost: (key: string) => void;
  onStoreError: (error: IdempotencyError, key: string) => void;
}

export class Lease {
  private timer: ReturnType<typeof setInterval> | undefined;
  private ended = false;
  private lostReported = false;

  constructor(
    private readonly store: IdempotencyStore,
    readonly key: string,
    private readonly token: string,
    private readonly settings: LeaseSettings,
  ) {
    this.timer = setInterval(() => void this.renew(), Math.max(1, Math.floor(settings.lockTtl / 3)));
    this.timer.unref?.();
  }

  /** True once a renewal or completion found another owner holding the key. */
  get lost(): boolean {
    return this.lostReported;
  }

  /** Stores the encoded response; false when the lease was lost (the other owner's result stands). */
  async complete(payload: Uint8Array): Promise<boolean> {
    if (!this.end()) return false;
    let owned: boolean;
    try {
      owned = await this.store.complete(this.key, this.token, payload, { ttlMs: this.settings.ttl, now: this.settings.now() });
    } catch (error) {
      throw toStorageError(error, 'complete');
    }
    if (!owned) this.reportLost();
    return owned;
  }

  /** Gives the key up so a retry may run again. Never throws: a failed release expires with the lock. */
  async release(): Promise<void> {
    if (!this.end()) return;
    try {
      await this.store.release(this.key, this.token);
    } catch (error) {
      this.settings.onStoreError(toStorageError(error, 'release'), this.key);
    }
  }

  private end(): boolean {
    if (this.ended) return false;
    this.ended = true;
    clearInterval(this.timer);
    return true;
  }

  private async renew(): Promise<void> {
    try {
      const owned = await this.store.extend(this.key, this.token, { lockTtlMs: this.settings.lockTtl, now: this.settings.now() });
      if (!owned && !this.ended) {
        clearInterval(this.timer);
        this.reportLost();
      }
    } catch (error) {
      // A failed renewal is retried on the next tick; the lease only lapses after a whole lockTtl.
      if (!this.ended) this.settings.onStoreError(toStorageError(error, 'extend'), this.key);
    }
  }

  private reportLost(): void {
    if (this.lostReported) return;
    this.lostReported = true;
    this.settings.onLeaseLost(this.key);
  }
}
