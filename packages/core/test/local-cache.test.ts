import { MemoryStore } from '@idem/memory';
import { storeConformanceSuite } from '@idem/testkit';
import {
  ConfigurationError,
  IdempotencyRunner,
  withLocalCache,
  type AcquireOptions,
  type IdempotencyStore,
  type StoreTransaction,
} from '../src';

/** A real MemoryStore that counts the calls that reach it (what a shared store would see as round trips). */
function counted(inner: IdempotencyStore = new MemoryStore()) {
  const calls = { acquire: 0, get: 0 };
  const store: IdempotencyStore = Object.assign(Object.create(inner) as IdempotencyStore, {
    acquire: (...args: Parameters<IdempotencyStore['acquire']>) => (calls.acquire++, inner.acquire(...args)),
    get: (...args: Parameters<IdempotencyStore['get']>) => (calls.get++, inner.get(...args)),
  });
  return { store, calls };
}

const options = (now: number): AcquireOptions => ({ lockTtlMs: 5_000, ttlMs: 60_000, now });
const bytes = (text: string) => new TextEncoder().encode(text);

storeConformanceSuite({ describe, it, beforeAll, afterAll }, 'MemoryStore behind withLocalCache', {
  createStore: ({ prefix }) => withLocalCache(new MemoryStore({ prefix }), { max: 100 }),
});

describe('withLocalCache', () => {
  it('answers a hot replay from memory: the store sees the first execution and one replay, then nothing', async () => {
    const { store, calls } = counted();
    const idem = new IdempotencyRunner({ store: withLocalCache(store, { max: 10 }) });
    let runs = 0;
    for (let i = 0; i < 20; i++) expect(await idem.run('order-1', async () => ({ order: ++runs }))).toEqual({ order: 1 });
    expect(runs).toBe(1);
    expect(calls.acquire).toBe(2);
  });

  it('never serves an in-progress record: every duplicate of a running request asks the store', async () => {
    const { store, calls } = counted();
    const cache = withLocalCache(store, { max: 10 });
    const now = Date.now();
    const first = await cache.acquire('k', 'fp', options(now));
    expect(first.state).toBe('acquired');
    for (let i = 0; i < 3; i++) expect((await cache.acquire('k', 'fp', options(now))).state).toBe('in_progress');
    expect(calls.acquire).toBe(4);
    if (first.state !== 'acquired') return;
    // Released (the handler failed): the next request acquires, nothing stale was kept.
    await cache.release('k', first.token);
    expect((await cache.acquire('k', 'fp', options(now))).state).toBe('acquired');
  });

  it('a delete through it drops the cached copy: the next request runs again', async () => {
    const { store, calls } = counted();
    const cache = withLocalCache(store, { max: 10 });
    const idem = new IdempotencyRunner({ store: cache });
    let runs = 0;
    await idem.run('k', async () => ++runs);
    expect(await idem.run('k', async () => ++runs)).toBe(1);
    expect(await idem.run('k', async () => ++runs)).toBe(1);
    await cache.delete('k');
    expect(await cache.get('k')).toBeUndefined();
    expect(await idem.run('k', async () => ++runs)).toBe(2);
    expect(calls.acquire).toBe(3);
  });

  it('a read in flight when a delete lands does not bring the deleted record back into the cache', async () => {
    const memory = new MemoryStore();
    const now = Date.now();
    const first = await memory.acquire('k', 'fp', options(now));
    if (first.state !== 'acquired') throw new Error('expected to acquire');
    await memory.complete('k', first.token, bytes('old'), { ttlMs: 60_000, now });
    // The store answers the acquire with the completed record, but only after the delete went through.
    let answer!: () => void;
    const slow: IdempotencyStore = Object.assign(Object.create(memory) as IdempotencyStore, {
      acquire: async (...args: Parameters<IdempotencyStore['acquire']>) => {
        const result = await memory.acquire(...args);
        await new Promise<void>((resolve) => (answer = resolve));
        return result;
      },
    });
    const cache = withLocalCache(slow, { max: 10 });
    const inFlight = cache.acquire('k', 'fp', options(now));
    await new Promise((resolve) => setImmediate(resolve));
    await cache.delete('k');
    answer();
    expect((await inFlight).state).toBe('completed');
    // Not cached: the next acquire reaches the store, where the record is gone.
    const next = cache.acquire('k', 'fp', options(now));
    await new Promise((resolve) => setImmediate(resolve));
    answer();
    expect((await next).state).toBe('acquired');
  });

  it('serves a cached record only until its expiresAt', async () => {
    const { store, calls } = counted();
    const cache = withLocalCache(store, { max: 10 });
    const now = Date.now();
    const first = await cache.acquire('k', 'fp', options(now));
    if (first.state !== 'acquired') throw new Error('expected to acquire');
    await cache.complete('k', first.token, bytes('r'), { ttlMs: 1_000, now });
    expect((await cache.acquire('k', 'fp', options(now + 10))).state).toBe('completed');
    expect((await cache.acquire('k', 'fp', options(now + 999))).state).toBe('completed');
    expect(calls.acquire).toBe(2);
    expect((await cache.acquire('k', 'fp', options(now + 1_001))).state).toBe('acquired');
    expect(calls.acquire).toBe(3);
  });

  it('keeps at most `max` records, evicting the least recently used', async () => {
    const { store, calls } = counted();
    const cache = withLocalCache(store, { max: 2 });
    const idem = new IdempotencyRunner({ store: cache });
    const replay = async (key: string) => idem.run(key, async () => key);
    for (const key of ['a', 'b', 'c']) await replay(key); // first executions
    for (const key of ['a', 'b']) await replay(key); // a and b cached
    const before = calls.acquire;
    await replay('a'); // hit, a is now the most recent
    await replay('c'); // miss: caches c, evicts b
    await replay('a'); // hit
    await replay('b'); // miss: b was evicted
    expect(calls.acquire - before).toBe(2);
  });

  it('keeps at most `maxBytes` of responses and never caches a larger one', async () => {
    const { store, calls } = counted();
    const cache = withLocalCache(store, { max: 100, maxBytes: 1_000 });
    const now = Date.now();
    for (const [key, size] of [
      ['small', 100],
      ['large', 2_000],
    ] as const) {
      const first = await cache.acquire(key, 'fp', options(now));
      if (first.state !== 'acquired') throw new Error('expected to acquire');
      await cache.complete(key, first.token, new Uint8Array(size), { ttlMs: 60_000, now });
    }
    for (let i = 0; i < 3; i++) {
      await cache.acquire('small', 'fp', options(now));
      await cache.acquire('large', 'fp', options(now));
    }
    // small: one acquire to the store, then cached; large: every acquire to the store.
    expect(calls.acquire).toBe(2 + 1 + 3);
  });

  it('passes the store’s clock and transactions through', async () => {
    const transaction = { handle: 'tx' } as unknown as StoreTransaction;
    const transactional = Object.assign(new MemoryStore(), { clock: 'store' as const, beginTransaction: async () => transaction });
    const cache = withLocalCache(transactional, { max: 1 });
    expect(cache.clock).toBe('store');
    expect(await cache.beginTransaction()).toBe(transaction);
    expect('beginTransaction' in withLocalCache(new MemoryStore(), { max: 1 })).toBe(false);
  });

  it.each([{ max: 0 }, { max: 1.5 }, {}, { max: 10, maxBytes: -1 }])('refuses %j', (bad) => {
    expect(() => withLocalCache(new MemoryStore(), bad as never)).toThrow(ConfigurationError);
  });
});
