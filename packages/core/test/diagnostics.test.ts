/**
 * Core's events on node:diagnostics_channel: a subscriber sees every hit, miss, conflict, mismatch, store
 * error and lost lease, and every store call on the `idem:store` tracing channel, from the HTTP manager
 * and the function API alike; the hooks keep receiving what they always did; and nothing is built or
 * wrapped while nobody listens.
 */
import { channel, subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { MemoryStore } from '@idem/memory';
import {
  DIAGNOSTICS_CHANNELS,
  IdempotencyRunner,
  StorageError,
  type HttpResponse,
  type IdempotencyEventMessage,
  type IdempotencyEventName,
  type IdempotencyRequest,
  type IdempotencyStore,
  type StoreCallContext,
  storageKey,
} from '../src';
import { Idempotency } from '../src/adapter';
import { traceStoreCall } from '../src/diagnostics';

const stored = (key: string) => storageKey(key, undefined, false);
const EVENTS = ['hit', 'miss', 'conflict', 'mismatch', 'store-error', 'lease-lost'] as const;

/** Records every event and every traced store call while `body` runs, then unsubscribes. */
async function observe(body: () => Promise<void>) {
  const events: { event: IdempotencyEventName; message: IdempotencyEventMessage }[] = [];
  const listeners = EVENTS.map((event) => {
    const listener = (message: unknown) => events.push({ event, message: message as IdempotencyEventMessage });
    subscribe(DIAGNOSTICS_CHANNELS[event], listener);
    return [event, listener] as const;
  });
  const calls: { phase: string; operation: string; storageKey: string; error?: unknown }[] = [];
  const phase = (name: string) => (context: object) => {
    const { operation, storageKey, error } = context as StoreCallContext;
    calls.push({ phase: name, operation, storageKey, ...(error === undefined ? {} : { error }) });
  };
  const handlers = {
    start: phase('start'),
    end: phase('end'),
    asyncStart: phase('asyncStart'),
    asyncEnd: phase('asyncEnd'),
    error: phase('error'),
  };
  const store = tracingChannel(DIAGNOSTICS_CHANNELS.store);
  store.subscribe(handlers);
  try {
    await body();
  } finally {
    for (const [event, listener] of listeners) unsubscribe(DIAGNOSTICS_CHANNELS[event], listener);
    store.unsubscribe(handlers);
  }
  return {
    events,
    calls,
    finished: (operation: string) => calls.filter((c) => c.phase === 'asyncEnd' && c.operation === operation).length,
  };
}

const request = (key: string, body = '{"amount":5}'): IdempotencyRequest => ({
  method: 'POST',
  url: '/payments',
  headers: { 'idempotency-key': key },
  body: new TextEncoder().encode(body),
});
const created: HttpResponse = { status: 201, headers: {}, body: new TextEncoder().encode('charged') };

let store: MemoryStore;
/** The memory store with some methods replaced. */
const storeWith = (overrides: Partial<IdempotencyStore>): IdempotencyStore => ({
  acquire: (...args) => store.acquire(...args),
  complete: (...args) => store.complete(...args),
  release: (...args) => store.release(...args),
  extend: (...args) => store.extend(...args),
  get: (...args) => store.get(...args),
  delete: (...args) => store.delete(...args),
  close: async () => undefined,
  ...overrides,
});
beforeEach(() => {
  store = new MemoryStore();
});
afterEach(() => store.close());

describe('diagnostics channels', () => {
  it('publishes miss, hit, conflict and mismatch for HTTP requests, with the key, storage key and request', async () => {
    const idem = new Idempotency({ store, scope: () => 'tenant-1' });
    const first = request('k1');
    const { events } = await observe(async () => {
      const running = await idem.handle(first);
      if (running.action !== 'execute') throw new Error('expected execute');
      expect((await idem.handle(request('k1'))).action).toBe('respond'); // 409: in progress
      await running.execution.finish(created);
      expect((await idem.handle(request('k1'))).action).toBe('respond'); // replay
      expect((await idem.handle(request('k1', '{"amount":6}'))).action).toBe('respond'); // 422
    });
    expect(events.map((e) => e.event)).toEqual(['miss', 'conflict', 'hit', 'mismatch']);
    expect(events[0]!.message).toEqual({ key: 'k1', storageKey: storageKey('k1', 'tenant-1', false), request: first });
  });

  it('publishes store-error with the StorageError and failOpen, and lease-lost, from the function API', async () => {
    let failing = true;
    const flaky = storeWith({
      acquire: (...args) => (failing ? Promise.reject(new Error('connection refused')) : store.acquire(...args)),
      complete: async () => false, // another owner took the lease over
    });
    const runner = new IdempotencyRunner({ store: flaky, failOpen: true });
    const { events } = await observe(async () => {
      expect(await runner.run('job-1', async () => 'done unprotected')).toBe('done unprotected');
      failing = false;
      expect(await runner.run('job-2', async () => 'done')).toBe('done');
    });
    expect(events.map((e) => e.event)).toEqual(['store-error', 'miss', 'lease-lost']);
    expect(events[0]!.message).toMatchObject({ key: 'job-1', storageKey: stored('job-1'), failOpen: true });
    expect(events[0]!.message.error).toBeInstanceOf(StorageError);
    expect(events[2]!.message).toEqual({ key: 'job-2', storageKey: stored('job-2'), request: undefined });
  });

  it('traces every store call on idem:store: start, end, asyncStart, asyncEnd, and error when it fails', async () => {
    const runner = new IdempotencyRunner({ store, lockTtl: 30_000 });
    const { calls, finished } = await observe(async () => {
      await runner.run('charge-1', async () => 'ok');
      await runner.run('charge-1', async () => 'never');
    });
    expect(finished('acquire')).toBe(2);
    expect(finished('complete')).toBe(1);
    expect(
      calls
        .filter((c) => c.operation === 'acquire')
        .slice(0, 4)
        .map((c) => c.phase),
    ).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    expect(calls.every((c) => c.storageKey === stored('charge-1'))).toBe(true);

    const broken = new IdempotencyRunner({ store: storeWith({ acquire: () => Promise.reject(new Error('down')) }) });
    const failed = await observe(async () => {
      await expect(broken.run('charge-2', async () => 'x')).rejects.toBeInstanceOf(StorageError);
    });
    expect(failed.calls.map((c) => c.phase)).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
    expect((failed.calls[2]!.error as Error).message).toBe('down');
  });

  it('keeps calling the hooks, with the arguments they always had, beside the subscribers', async () => {
    const hooks: unknown[][] = [];
    const idem = new Idempotency({
      store,
      onCacheMiss: (...args) => void hooks.push(['miss', ...args]),
      onCacheHit: (...args) => void hooks.push(['hit', ...args]),
      onLockConflict: (...args) => void hooks.push(['conflict', ...args]),
      onMismatch: (...args) => void hooks.push(['mismatch', ...args]),
    });
    const first = request('k2');
    const { events } = await observe(async () => {
      const running = await idem.handle(first);
      if (running.action !== 'execute') throw new Error('expected execute');
      await idem.handle(request('k2'));
      await running.execution.finish(created);
      await idem.handle(request('k2'));
      await idem.handle(request('k2', '{}'));
    });
    expect(events).toHaveLength(4);
    expect(hooks.map((h) => h[0])).toEqual(['miss', 'conflict', 'hit', 'mismatch']);
    expect(hooks[0]).toEqual(['miss', 'k2', first, { storageKey: stored('k2') }]);
  });

  it('builds and wraps nothing while nobody listens', async () => {
    expect(channel(DIAGNOSTICS_CHANNELS.miss).hasSubscribers).toBe(false);
    const pending = Promise.resolve('stored');
    // Unobserved, a store call is the store's own promise: no tracing, no context object.
    expect(traceStoreCall('get', 'k', () => pending)).toBe(pending);
    const { events } = await observe(async () => undefined);
    expect(events).toEqual([]);
    const runner = new IdempotencyRunner({ store });
    expect(await runner.run('quiet', async () => 1)).toBe(1);
  });
});
