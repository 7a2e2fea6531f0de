/**
 * User code, isolated in one place. Every hook and callback idem calls goes through one of three doors:
 *
 * - `notify`: a hook (`onCacheHit`, `onStoreError`, ...). It may be async; it is not awaited, so a slow
 *   hook never delays an answer. A throw or a rejection is caught and reported, never changes the answer.
 * - `classify`: a callback that decides what the request is (`scope`, `skip`, `key`, `fingerprint`).
 *   Without its answer the request cannot be protected safely, so a throw becomes a 400
 *   `KeyGenerationError`, raised before any lease is taken.
 * - `attempt`: a callback with a safe fallback (`shouldStore` → do not store, `keepResponseHeaders` →
 *   do not keep the header, `errorHandler` → the default problem+json): the fallback is used and the
 *   throw is reported.
 *
 * Reporting goes to `onCallbackError(error)`, a `CallbackError` naming the callback (the thrown value on
 * `cause`), or to `console.error` when that option is not set: a bug in a callback is never silent. A
 * throwing `onCallbackError` itself is swallowed: there is nothing left to tell.
 */
import { CallbackError, IdempotencyError, KeyGenerationError, type CallbackName } from './errors';
import { isThenable } from './thenable';

export type CallbackErrorHandler = (error: CallbackError) => unknown;

export class Callbacks {
  constructor(private readonly onCallbackError?: CallbackErrorHandler) {}

  /** Calls a hook; never throws, never leaves a rejection unhandled. */
  notify<Args extends unknown[]>(
    name: CallbackName,
    hook: ((...args: Args) => unknown) | undefined,
    key: string | undefined,
    ...args: Args
  ): void {
    if (hook === undefined) return;
    try {
      const result = hook(...args);
      if (isThenable(result)) result.then(undefined, (error: unknown) => this.report(name, error, key));
    } catch (error) {
      this.report(name, error, key);
    }
  }

  /**
   * Runs a classifier. An `IdempotencyError` it throws is kept (a custom `key` may reject a key with
   * `InvalidKeyError`); anything else becomes `KeyGenerationError` (400 `KEY_GENERATION_FAILED`).
   */
  classify<T>(name: CallbackName, run: () => T | Promise<T>): T | Promise<T> {
    // A synchronous answer stays synchronous (no promise, no await on a first execution's path).
    let value: T | Promise<T>;
    try {
      value = run();
    } catch (error) {
      throw classifyError(name, error);
    }
    if (!isThenable(value)) return value;
    return Promise.resolve(value).catch((error: unknown) => {
      throw classifyError(name, error);
    });
  }

  /** Runs a callback; when it throws, reports it and returns `fallback`. */
  attempt<T>(name: CallbackName, run: () => T, fallback: T, key?: string): T {
    try {
      return run();
    } catch (error) {
      this.report(name, error, key);
      return fallback;
    }
  }

  /** `attempt` for a callback that may be async. */
  async attemptAsync<T>(name: CallbackName, run: () => T | Promise<T>, fallback: T, key?: string): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.report(name, error, key);
      return fallback;
    }
  }

  report(name: CallbackName, thrown: unknown, key?: string): void {
    const error = new CallbackError(name, thrown, key);
    try {
      const result = this.onCallbackError ? this.onCallbackError(error) : console.error(error);
      if (isThenable(result)) result.then(undefined, () => undefined);
    } catch {
      // onCallbackError itself threw: nothing is left to report to.
    }
  }
}

/** A classifier's throw, as the 400 it answers: an IdempotencyError stays itself. */
function classifyError(name: CallbackName, error: unknown): IdempotencyError {
  if (error instanceof IdempotencyError) return error;
  return new KeyGenerationError(`The idem callback \`${name}\` threw: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
  });
}
