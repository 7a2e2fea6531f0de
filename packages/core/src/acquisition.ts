/**
 * The step every entry point shares (HTTP and function API): try to acquire the key, and classify
 * what the store answered: run now, replay, mismatch, or in progress (waiting for it if asked to).
 */
import { LockTimeoutError, RequestInProgressError, RequestMismatchError, toStorageError } from './errors';
import { traceStoreCall } from './diagnostics';
import { Lease, type LeaseSettings } from './lease';
import type { IdempotencyRecord, IdempotencyStore } from './store';

export type Acquisition = { outcome: 'acquired'; lease: Lease } | { outcome: 'completed'; record: IdempotencyRecord };

export interface AcquireSettings extends LeaseSettings {
  wait: boolean;
  waitTimeout: number;
  /** The longest `Retry-After` a 409 carries, seconds. */
  conflictRetryAfter: number;
}

/** The per-request hooks (already guarded); absent when the app configured none, so nothing is allocated for them. */
export interface AcquireEvents {
  onLockConflict?: () => void;
  onMismatch?: () => void;
}

const POLL_START_MS = 20;
const POLL_MAX_MS = 250;

/**
 * Throws RequestMismatchError (422), RequestInProgressError / LockTimeoutError (409) or StorageError
 * (503); otherwise returns a lease to run under or the completed record to replay.
 */
export async function acquireKey(
  store: IdempotencyStore,
  key: string,
  fingerprint: string,
  settings: AcquireSettings,
  events: AcquireEvents = {},
  clientKey: string = key,
): Promise<Acquisition> {
  let deadline = 0;
  let pollMs = POLL_START_MS;
  let conflictReported = false;
  for (;;) {
    const now = settings.now();
    if (deadline === 0) deadline = now + settings.waitTimeout;
    let result;
    try {
      result = await traceStoreCall('acquire', key, () =>
        store.acquire(key, fingerprint, { lockTtlMs: settings.lockTtl, ttlMs: settings.ttl, now }),
      );
    } catch (error) {
      throw toStorageError(error, 'acquire');
    }
    if (result.state === 'acquired') return { outcome: 'acquired', lease: new Lease(store, key, result.token, settings, now, clientKey) };
    if (result.record.fingerprint !== fingerprint) {
      events.onMismatch?.();
      throw new RequestMismatchError();
    }
    if (result.state === 'completed') return { outcome: 'completed', record: result.record };

    if (!conflictReported) events.onLockConflict?.();
    conflictReported = true;
    // A short hint (the first request usually ends in milliseconds), never past the lease's end.
    const leaseLeft = Math.ceil((result.record.lockExpiresAt - now) / 1000);
    const retryAfter = Math.max(1, Math.min(settings.conflictRetryAfter, leaseLeft));
    if (!settings.wait) throw new RequestInProgressError(retryAfter);
    // Wait mode: poll until the owner completes (replay), releases (acquire again) or time runs out.
    const record = await waitForChange(store, key, deadline, settings.now, () => {
      const delay = pollMs;
      pollMs = Math.min(POLL_MAX_MS, pollMs * 2);
      return delay;
    });
    if (record === 'timeout') throw new LockTimeoutError(retryAfter);
    if (record?.status === 'completed') {
      if (record.fingerprint !== fingerprint) {
        events.onMismatch?.();
        throw new RequestMismatchError();
      }
      return { outcome: 'completed', record };
    }
  }
}

async function waitForChange(
  store: IdempotencyStore,
  key: string,
  deadline: number,
  now: () => number,
  nextDelay: () => number,
): Promise<IdempotencyRecord | undefined | 'timeout'> {
  for (;;) {
    const remaining = deadline - now();
    if (remaining <= 0) return 'timeout';
    await new Promise((resolve) => setTimeout(resolve, Math.min(nextDelay(), remaining)));
    let record;
    try {
      record = await traceStoreCall('get', key, () => store.get(key, { now: now() }));
    } catch (error) {
      throw toStorageError(error, 'get');
    }
    if (record === undefined || record.status === 'completed' || record.lockExpiresAt <= now()) return record;
  }
}
