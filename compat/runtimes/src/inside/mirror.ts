/**
 * How the app inside a runtime reaches back to the suite: the route handler is the suite's scenario
 * handler (forwarded over HTTP), and each hook call and store call made here is reported so the suite's
 * own hooks and store wrappers see it (their answers are not used: the runtime's own are).
 */
import type { IdempotencyOptions, IdempotencyStore } from '@idem/core';
import type { ScenarioHandler } from '@idem/testkit';
import { decode, encode } from '../wire';

const STORE_METHODS = ['acquire', 'complete', 'release', 'extend', 'get', 'delete'] as const;

export function callMirror(mirror: string, kind: 'hook' | 'store' | 'observe', name: string, args: unknown[]): Promise<unknown> {
  return fetch(`${mirror}/report`, { method: 'POST', body: encode({ kind, name, args }) }).then((response) => response.arrayBuffer());
}

/** Options whose `on...` hooks also report each call (synchronously made, delivered before the answer). */
export function reportHooks(options: IdempotencyOptions, mirror: string, pending: Set<Promise<unknown>>): IdempotencyOptions {
  const reported: Record<string, unknown> = { ...options };
  for (const [name, value] of Object.entries(options)) {
    if (!/^on[A-Z]/.test(name) || typeof value !== 'function') continue;
    reported[name] = (...args: unknown[]) => {
      track(pending, callMirror(mirror, 'hook', name, args));
      return (value as (...a: unknown[]) => unknown)(...args);
    };
  }
  return reported as unknown as IdempotencyOptions;
}

export function reportStoreCalls(store: IdempotencyStore, mirror: string, pending: Set<Promise<unknown>>): IdempotencyStore {
  const reported = { close: () => store.close() } as IdempotencyStore;
  for (const method of STORE_METHODS) {
    (reported as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      track(pending, callMirror(mirror, 'store', method, args));
      return (store[method] as (...a: unknown[]) => unknown).apply(store, args);
    };
  }
  return reported;
}

/** Hands the outcome the app read (`c.get('idempotency')`, `idempotencyOutcome(response)`) to the suite's observer. */
export function outcomeReporter(
  mirror: string,
  pending: Set<Promise<unknown>>,
): (headers: Record<string, string>, outcome: unknown) => void {
  return (headers, outcome) => track(pending, callMirror(mirror, 'observe', 'observe', [headers, outcome]));
}

function track(pending: Set<Promise<unknown>>, promise: Promise<unknown>): void {
  const settled = promise.catch(() => undefined).finally(() => pending.delete(settled));
  pending.add(settled);
}

/** The scenario handler, run by the suite: a rejection there becomes a throw here. */
export function forwardedHandler(mirror: string): ScenarioHandler {
  return async (request) => {
    const response = await fetch(`${mirror}/handle`, { method: 'POST', body: encode(request) });
    const answer = decode(new Uint8Array(await response.arrayBuffer())) as { failed?: string } & Awaited<ReturnType<ScenarioHandler>>;
    if (answer.failed !== undefined) throw new Error(answer.failed);
    return answer;
  };
}
