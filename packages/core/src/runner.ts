/**
 * The function API: `run(key, fn)` and `idempotent(fn, { key })` give plain functions (queue consumers,
 * webhook handlers, cron jobs) the same exactly-once guarantee as HTTP requests, on the same store,
 * leases and fencing. The HTTP manager extends this class.
 */
import { acquireKey, type AcquireEvents, type AcquireSettings } from './acquisition';
import { jsonSerializer, type ResultSerializer } from './codec';
import { StorageError, toStorageError, type IdempotencyError } from './errors';
import { canonicalJson } from './canonical-json';
import { sha256 } from './hash';
import { storageKey, validateKey } from './keys';
import { DEFAULTS, validateOptions, type IdempotencyOptions } from './options';
import type { IdempotencyStore } from './store';

export interface RunOptions {
  /** Identifies the call's input: the same key with another fingerprint throws RequestMismatchError. */
  fingerprint?: string;
  /** Tenant namespace for the key. */
  scope?: string;
}

export interface IdempotentOptions<Args extends unknown[]> {
  /** Derives the key from the call's arguments, e.g. `(event) => event.id`. */
  key: (...args: Args) => string;
  /** Derives the fingerprint; default: SHA-256 of the arguments as canonical JSON. */
  fingerprint?: (...args: Args) => string;
  /** Derives the tenant namespace. */
  scope?: (...args: Args) => string | undefined;
}

export class IdempotencyRunner<Raw = unknown> {
  protected readonly store: IdempotencyStore;
  protected readonly lockTtl: number;
  protected readonly ttl: number;
  protected readonly now: () => number;
  /** Built once: every acquisition and lease of this manager shares it. */
  protected readonly settings: AcquireSettings;

  constructor(
    protected readonly options: IdempotencyOptions<Raw>,
    private readonly serializer: ResultSerializer = jsonSerializer,
    extraOptionNames: readonly string[] = [],
  ) {
    validateOptions(options, extraOptionNames);
    this.store = options.store;
    this.lockTtl = options.lockTtl ?? DEFAULTS.lockTtl;
    this.ttl = options.ttl ?? DEFAULTS.ttl;
    this.now = options.now ?? Date.now;
    this.settings = {
      lockTtl: this.lockTtl,
      ttl: this.ttl,
      now: this.now,
      wait: options.onConflict === 'wait',
      waitTimeout: options.waitTimeout ?? DEFAULTS.waitTimeout,
      onLeaseLost: (key) => options.onLeaseLost?.(key),
      onStoreError: (error, key) => this.reportStoreError(error, key, false),
    };
  }

  /**
   * Runs `fn` once for `key`. A later call with the same key returns the stored result (JSON by
   * default) without running `fn`; a call while the first runs throws RequestInProgressError (or waits,
   * with `onConflict: 'wait'`). If `fn` throws, nothing is stored and the error propagates.
   */
  async run<T>(key: string, fn: () => T | Promise<T>, options: RunOptions = {}): Promise<T> {
    validateKey(key, this.options.validateKey);
    const storeKey = storageKey(key, options.scope, this.options.hashKeys ?? false);
    const fingerprint = options.fingerprint ?? '';
    let acquisition;
    try {
      acquisition = await acquireKey(this.store, storeKey, fingerprint, this.settings, this.acquireEvents(storeKey, undefined as Raw));
    } catch (error) {
      if (error instanceof StorageError && this.options.failOpen) {
        this.reportStoreError(error, storeKey, true);
        return fn();
      }
      if (error instanceof StorageError) this.reportStoreError(error, storeKey, false);
      throw error;
    }
    if (acquisition.outcome === 'completed') {
      this.options.onCacheHit?.(storeKey, undefined as Raw);
      try {
        return this.serializer.deserialize(acquisition.record.response ?? new Uint8Array()) as T;
      } catch (error) {
        throw toStorageError(error, 'decode');
      }
    }
    this.options.onCacheMiss?.(storeKey, undefined as Raw);
    const { lease } = acquisition;
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      await lease.release();
      throw error;
    }
    await lease.complete(this.serializer.serialize(result));
    return result;
  }

  /** Wraps `fn` so each distinct key runs it once; see `run`. */
  idempotent<Args extends unknown[], T>(
    fn: (...args: Args) => T | Promise<T>,
    options: IdempotentOptions<Args>,
  ): (...args: Args) => Promise<T> {
    const fingerprintOf = options.fingerprint ?? ((...args: Args) => fingerprintArguments(args));
    return (...args: Args) =>
      this.run(options.key(...args), () => fn(...args), {
        fingerprint: fingerprintOf(...args),
        scope: options.scope?.(...args),
      });
  }

  /** The request's hooks bound to its key, or nothing when the app set none (the common case). */
  protected acquireEvents(key: string, req: Raw): AcquireEvents | undefined {
    const { onLockConflict, onMismatch } = this.options;
    if (!onLockConflict && !onMismatch) return undefined;
    return { onLockConflict: () => onLockConflict?.(key, req), onMismatch: () => onMismatch?.(key, req) };
  }

  protected reportStoreError(error: IdempotencyError, key: string, failOpen: boolean): void {
    try {
      this.options.onStoreError?.(error, { key, failOpen });
    } catch {
      // A throwing hook must not turn a handled store failure into a crash.
    }
  }
}

/** Arguments that cannot be JSON-encoded (cycles, BigInt) get no fingerprint rather than an error. */
function fingerprintArguments(args: unknown[]): string {
  try {
    return sha256(canonicalJson(args));
  } catch {
    return '';
  }
}

/** `idempotent(fn, { store, key })`: the function API without creating a manager first. */
export function idempotent<Args extends unknown[], T>(
  fn: (...args: Args) => T | Promise<T>,
  options: IdempotentOptions<Args> & Omit<IdempotencyOptions, 'key' | 'fingerprint' | 'scope'> & { serializer?: ResultSerializer<T> },
): (...args: Args) => Promise<T> {
  const { key, fingerprint, scope, serializer, ...managerOptions } = options;
  const runner = new IdempotencyRunner(managerOptions as IdempotencyOptions, serializer as ResultSerializer | undefined);
  return runner.idempotent(fn, { key, fingerprint, scope });
}
