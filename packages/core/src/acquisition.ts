/**
 * The step every entry point shares (HTTP and function API): try to acquire the key, and classify
 * what the store answered: run now, replay, mismatch, or in progress (waiting for it if asked to).
 */
import { LockTimeoutError, RequestInProgressError, RequestMismatchError, toStorageError } from './errors';
import { traceStoreCall } from './diagnostics';
import { Lease, type LeaseSettings } from './lease';
import type { AcquireResult, IdempotencyRecord, IdempotencyStore } from './store';

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
  const now = settings.now();
  return settleAcquire(
    await acquireOnce(store, key, fingerprint, settings, now),
    store,
    key,
    fingerprint,
    settings,
    now,
    events,
    clientKey,
  );
}

/**
 * What the store's answer to `acquire` (asked at `now`) means: synchronous for a lease or a replay
 * (the usual answers), a promise only for a key in progress that `onConflict: 'wait'` waits out.
 * Throws RequestMismatchError, or RequestInProgressError when not waiting.
 */
export function settleAcquire(
  result: AcquireResult,
  store: IdempotencyStore,
  key: string,
  fingerprint: string,
  settings: AcquireSettings,
  now: number,
  events: AcquireEvents = {},
  clientKey: string = key,
): Acquisition | Promise<Acquisition> {
  const acquisition = settled(result, store, key, fingerprint, settings, now, events, clientKey);
  if (acquisition) return acquisition;
  events.onLockConflict?.();
  const retryAfter = conflictRetryAfter((result as InProgress).record, now, settings);
  if (!settings.wait) throw new RequestInProgressError(retryAfter);
  return waitOut(store, key, fingerprint, settings, events, clientKey, now + settings.waitTimeout, retryAfter);
}

type InProgress = Extract<AcquireResult, { state: 'in_progress' }>;

/**
 * A lease to run under, or the completed record to replay; undefined while another owner holds the
 * key. A record of another request (another fingerprint) is a mismatch, whatever its state.
 */
function settled(
  result: AcquireResult,
  store: IdempotencyStore,
  key: string,
  fingerprint: string,
  settings: AcquireSettings,
  now: number,
  events: AcquireEvents,
  clientKey: string,
): Acquisition | undefined {
  if (result.state === 'acquired') return { outcome: 'acquired', lease: new Lease(store, key, result.token, settings, now, clientKey) };
  if (result.record.fingerprint !== fingerprint) return mismatch(events);
  return result.state === 'completed' ? { outcome: 'completed', record: result.record } : undefined;
}

function mismatch(events: AcquireEvents): never {
  events.onMismatch?.();
  throw new RequestMismatchError();
}

/** The store's `acquire` at `now`, traced; its failure as the store gave it (the caller maps it). */
export function callAcquire(
  store: IdempotencyStore,
  key: string,
  fingerprint: string,
  settings: AcquireSettings,
  now: number,
): Promise<AcquireResult> {
  return traceStoreCall('acquire', key, () => store.acquire(key, fingerprint, { lockTtlMs: settings.lockTtl, ttlMs: settings.ttl, now }));
}

/** One `acquire`; a store failure becomes a StorageError. */
async function acquireOnce(store: IdempotencyStore, key: string, fingerprint: string, settings: AcquireSettings, now: number) {
  try {
    return await callAcquire(store, key, fingerprint, settings, now);
  } catch (error) {
    throw toStorageError(error, 'acquire');
  }
}

/** A short hint (the first request usually ends in milliseconds), never past the lease's end. */
function conflictRetryAfter(record: IdempotencyRecord, now: number, settings: AcquireSettings): number {
  const leaseLeft = Math.ceil((record.lockExpiresAt - now) / 1000);
  return Math.max(1, Math.min(settings.conflictRetryAfter, leaseLeft));
}

/** Wait mode: poll until the owner completes (replay), releases (acquire again) or time runs out. */
async function waitOut(
  store: IdempotencyStore,
  key: string,
  fingerprint: string,
  settings: AcquireSettings,
  events: AcquireEvents,
  clientKey: string,
  deadline: number,
  retryAfter: number,
): Promise<Acquisition> {
  let pollMs = POLL_START_MS;
  const nextDelay = () => {
    const delay = pollMs;
    pollMs = Math.min(POLL_MAX_MS, pollMs * 2);
    return delay;
  };
  for (;;) {
    const record = await waitForChange(store, key, deadline, settings.now, nextDelay);
    if (record === 'timeout') throw new LockTimeoutError(retryAfter);
    if (record?.status === 'completed') return record.fingerprint === fingerprint ? { outcome: 'completed', record } : mismatch(events);
    // Released, or its lease lapsed: try to take the key.
    const now = settings.now();
    const result = await acquireOnce(store, key, fingerprint, settings, now);
    const acquisition = settled(result, store, key, fingerprint, settings, now, events, clientKey);
    if (acquisition) return acquisition;
    retryAfter = conflictRetryAfter((result as InProgress).record, now, settings);
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
