/**
 * The function API: `run(key, fn)` and `idempotent(fn, { key })` give plain functions (queue consumers,
 * webhook handlers, cron jobs) the same exactly-once guarantee as HTTP requests, on the same store,
 * leases and fencing. The HTTP manager extends this class.
 */
import { acquireKey, type AcquireEvents, type AcquireSettings } from './acquisition';
import { jsonSerializer, type ResultSerializer } from './codec';
import { Callbacks } from './callbacks';
import { observed, publishEvent, type IdempotencyEventName } from './diagnostics';
import { LeaseLostError, ResultNotEncodableError, StorageError, toStorageError, type IdempotencyError } from './errors';
import { argumentFingerprint } from './argument-fingerprint';
import { validateKey, type KeyValidator } from './keys';
import type { Lease } from './lease';
import { storageKey } from './namespace';
import { DEFAULTS, validateOptions, type IdempotencyOptions } from './options';
import type { IdempotencyStore } from './store';
import { ExecutionTransaction, type TransactionRunner } from './transaction';

/** What `run` hands its function (and `idempotent` binds as `this`). */
export interface RunContext {
  /** The storage key (scope and hashing applied), for logs. */
  readonly key: string;
  /**
   * Runs `work` in a database transaction that commits together with the stored result, only if this
   * run still owns the key (the store must offer transactions: @idem/sql, @idem/prisma). Annotate `tx`
   * with your driver's type.
   */
  transaction: TransactionRunner;
}

export interface RunOptions {
  /** Identifies the call's input: the same key with another fingerprint throws RequestMismatchError. */
  fingerprint?: string;
  /** Tenant namespace for the key. */
  scope?: string;
}

export interface IdempotentOptions<Args extends unknown[]> {
  /** Derives the key from the call's arguments, e.g. `(event) => event.id`. */
  key: (...args: Args) => string;
  /**
   * Derives the fingerprint; default: SHA-256 of the arguments (canonical JSON, with BigInt, Date, Map,
   * Set, bytes and `toJSON` types told apart); ConfigurationError for an argument with no faithful
   * encoding (a function, a class instance without `toJSON`, a cycle).
   */
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
  protected readonly acquireSettings: AcquireSettings;
  /** The one guarded path every user callback and hook is called through. */
  protected readonly callbacks: Callbacks;

  constructor(
    protected readonly options: IdempotencyOptions<Raw>,
    private readonly serializer: ResultSerializer = jsonSerializer,
    extraOptionNames: readonly string[] = [],
  ) {
    validateOptions(options, extraOptionNames);
    this.callbacks = new Callbacks(options.onCallbackError);
    this.store = options.store;
    this.lockTtl = options.lockTtl ?? DEFAULTS.lockTtl;
    this.ttl = options.ttl ?? DEFAULTS.ttl;
    this.now = options.now ?? Date.now;
    this.acquireSettings = {
      lockTtl: this.lockTtl,
      ttl: this.ttl,
      now: this.now,
      wait: options.onConflict === 'wait',
      waitTimeout: options.waitTimeout ?? DEFAULTS.waitTimeout,
      conflictRetryAfter: options.conflictRetryAfter ?? DEFAULTS.conflictRetryAfter,
      onLeaseLost: (storageKey, clientKey) => this.emit('lease-lost', clientKey, storageKey, undefined as Raw),
      onStoreError: (error, storageKey, clientKey) => this.reportStoreError(error, clientKey, storageKey, false),
    };
  }

  /**
   * Runs `fn` once for `key`. A later call with the same key returns the stored result (JSON by
   * default) without running `fn`; a call while the first runs throws RequestInProgressError (or waits,
   * with `onConflict: 'wait'`). If `fn` throws, nothing is stored and the error propagates. A result the
   * serializer cannot encode releases the key and throws ResultNotEncodableError (holding the result).
   * If the store fails while recording the result, the result is still returned: the failure goes to
   * `onStoreError` and the record is retried in the background (the key stays locked meanwhile).
   *
   * Writes `fn` makes through `context.transaction(work)` commit in the same database transaction as
   * the stored result: if the run lost its lease meanwhile, they are rolled back and LeaseLostError is
   * thrown; if the database fails, they are rolled back and StorageError is thrown (the result is not
   * returned: its writes never happened).
   */
  async run<T>(key: string, fn: (context: RunContext) => T | Promise<T>, options: RunOptions = {}): Promise<T> {
    validateKey(key, this.guardedValidator(key));
    const storeKey = storageKey(key, options.scope, this.options.hashKeys ?? false);
    const fingerprint = options.fingerprint ?? '';
    let acquisition;
    try {
      acquisition = await acquireKey(
        this.store,
        storeKey,
        fingerprint,
        this.acquireSettings,
        this.acquireEvents(key, storeKey, undefined as Raw),
        key,
      );
    } catch (error) {
      if (error instanceof StorageError && this.options.failOpen) {
        this.reportStoreError(error, key, storeKey, true);
        return this.runUnprotected(storeKey, fn);
      }
      if (error instanceof StorageError) this.reportStoreError(error, key, storeKey, false);
      throw error;
    }
    if (acquisition.outcome === 'completed') {
      let result: T;
      try {
        result = this.serializer.deserialize(acquisition.record.response ?? new Uint8Array()) as T;
      } catch (error) {
        // A record this serializer cannot read (corrupt, or written by another one): like a corrupt HTTP
        // record, a StorageError reported to onStoreError, and `fn` is not run again.
        const storageError = toStorageError(error, 'decode');
        this.reportStoreError(storageError, key, storeKey, false);
        throw storageError;
      }
      this.emit('hit', key, storeKey, undefined as Raw);
      return result;
    }
    this.emit('miss', key, storeKey, undefined as Raw);
    const { lease } = acquisition;
    const { transaction, context } = this.runContext(storeKey);
    const result = await runUndoneOnThrow(fn, context, transaction, lease);
    let payload: Uint8Array;
    try {
      payload = this.serializer.serialize(result);
      if (!(payload instanceof Uint8Array)) throw new TypeError(`the serializer returned ${typeof payload}, not a Uint8Array`);
    } catch (error) {
      await transaction.rollback();
      await lease.release();
      throw new ResultNotEncodableError(result, error);
    }
    if (!transaction.active) {
      transaction.end();
      try {
        await lease.complete(payload);
      } catch (error) {
        this.reportStoreError(toStorageError(error, 'complete'), key, storeKey, false);
      }
      return result;
    }
    let owned: boolean;
    try {
      owned = await transaction.complete(lease, payload);
    } catch (error) {
      const storageError = toStorageError(error, 'complete');
      this.reportStoreError(storageError, key, storeKey, false);
      throw storageError;
    }
    if (!owned) throw new LeaseLostError(Math.ceil(this.lockTtl / 1000));
    return result;
  }

  /** A run's lazily opened transaction, and the context `fn` reaches it through. */
  private runContext(storeKey: string): { transaction: ExecutionTransaction; context: RunContext } {
    const transaction = new ExecutionTransaction(this.store);
    return { transaction, context: { key: storeKey, transaction: (work, options) => transaction.run(work, options) } };
  }

  /** `failOpen` after a store failure: `fn` runs without a lease; its transaction commits on its own. */
  private async runUnprotected<T>(storeKey: string, fn: (context: RunContext) => T | Promise<T>): Promise<T> {
    const { transaction, context } = this.runContext(storeKey);
    const result = await runUndoneOnThrow(fn, context, transaction);
    await transaction.commit();
    return result;
  }

  /**
   * Wraps `fn` so each distinct key runs it once; see `run`. A throwing `key`, `scope` or `fingerprint`
   * throws KeyGenerationError. `fn` is called with the run's context as `this` (write it as a
   * `function` to use `this.transaction(work)`).
   */
  idempotent<Args extends unknown[], T>(
    fn: (this: RunContext, ...args: Args) => T | Promise<T>,
    options: IdempotentOptions<Args>,
  ): (...args: Args) => Promise<T> {
    const fingerprintOf = options.fingerprint ?? ((...args: Args) => fingerprintArguments(args));
    const { scope } = options;
    return async (...args: Args) => {
      const key = await this.callbacks.classify('key', () => options.key(...args));
      const fingerprint = await this.callbacks.classify('fingerprint', () => fingerprintOf(...args));
      const scopeValue = scope ? await this.callbacks.classify('scope', () => scope(...args)) : undefined;
      return this.run(key, (context) => fn.apply(context, args), { fingerprint, scope: scopeValue });
    };
  }

  /** The request's conflict and mismatch events, or nothing when no hook or subscriber wants them (the common case). */
  protected acquireEvents(clientKey: string, storageKey: string, req: Raw): AcquireEvents | undefined {
    const { onLockConflict, onMismatch } = this.options;
    if (!onLockConflict && !onMismatch && !observed('conflict') && !observed('mismatch')) return undefined;
    return {
      onLockConflict: () => this.emit('conflict', clientKey, storageKey, req),
      onMismatch: () => this.emit('mismatch', clientKey, storageKey, req),
    };
  }

  protected reportStoreError(error: IdempotencyError, clientKey: string | undefined, storageKey: string, failOpen: boolean): void {
    this.emit('store-error', clientKey, storageKey, undefined as Raw, error, failOpen);
  }

  /**
   * The one place an event leaves core: its diagnostics channel (built and published only when
   * someone subscribes), then the app's hook, through the guarded path of `callbacks`.
   */
  protected emit(
    event: IdempotencyEventName,
    key: string | undefined,
    storageKey: string,
    req: Raw,
    error?: IdempotencyError,
    failOpen = false,
  ): void {
    if (observed(event)) {
      publishEvent(event, event === 'store-error' ? { key, storageKey, error, failOpen } : { key, storageKey, request: req });
    }
    const { options, callbacks } = this;
    if (event === 'lease-lost') {
      if (options.onLeaseLost) callbacks.notify('onLeaseLost', options.onLeaseLost, key, key as string, { storageKey });
    } else if (event === 'store-error') {
      if (options.onStoreError)
        callbacks.notify('onStoreError', options.onStoreError, key, error as IdempotencyError, { key, storageKey, failOpen });
    } else {
      // The request's hooks share one shape; their arguments are built only for a hook the app set.
      const name = REQUEST_HOOKS[event];
      const hook = options[name];
      if (hook)
        callbacks.notify(name, hook as (key: string, req: Raw, info: { storageKey: string }) => unknown, key, key as string, req, {
          storageKey,
        });
    }
  }

  /** The custom validator, guarded: a throwing one rejects the key (and is reported). */
  protected guardedValidator(key: string): KeyValidator | undefined {
    const custom = this.options.validateKey;
    return custom && (() => this.callbacks.attempt('validateKey', () => custom(key), 'validateKey threw', key));
  }
}

/** Runs `fn`; if it throws, its transaction is rolled back and the key (when leased) released before the error goes on. */
async function runUndoneOnThrow<T>(
  fn: (context: RunContext) => T | Promise<T>,
  context: RunContext,
  transaction: ExecutionTransaction,
  lease?: Lease,
): Promise<T> {
  try {
    return await fn(context);
  } catch (error) {
    await transaction.rollback();
    await lease?.release();
    throw error;
  }
}

/** The hooks of the events a request's decision emits, all `(key, req, { storageKey })`. */
const REQUEST_HOOKS = { hit: 'onCacheHit', miss: 'onCacheMiss', conflict: 'onLockConflict', mismatch: 'onMismatch' } as const;

/**
 * Never an empty fingerprint: that would let a call with other arguments (another amount) replay the
 * first one's result. Arguments with no faithful encoding throw ConfigurationError instead.
 */
function fingerprintArguments(args: unknown[]): string {
  return argumentFingerprint(args);
}

/** `idempotent(fn, { store, key })`: the function API without creating a manager first. */
export function idempotent<Args extends unknown[], T>(
  fn: (this: RunContext, ...args: Args) => T | Promise<T>,
  options: IdempotentOptions<Args> & Omit<IdempotencyOptions, 'key' | 'fingerprint' | 'scope'> & { serializer?: ResultSerializer<T> },
): (...args: Args) => Promise<T> {
  const { key, fingerprint, scope, serializer, ...managerOptions } = options;
  const runner = new IdempotencyRunner(managerOptions as IdempotencyOptions, serializer as ResultSerializer | undefined);
  return runner.idempotent(fn, { key, fingerprint, scope });
}
