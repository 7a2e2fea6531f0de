import { spawnSync } from 'node:child_process';
import { ConfigurationError, StorageError } from '@idem/core';
import { storeConformanceSuite } from '@idem/testkit';
import { MemoryStore } from '../src';

storeConformanceSuite({ describe, it, beforeAll, afterAll }, 'MemoryStore', {
  createStore: ({ prefix }) => new MemoryStore({ prefix }),
});

const opts = (now: number) => ({ lockTtlMs: 1_000, ttlMs: 10_000, now });

describe('MemoryStore bounds', () => {
  it('evicts the oldest finished record once maxEntries is reached', async () => {
    const store = new MemoryStore({ maxEntries: 3 });
    const now = Date.now();
    for (const key of ['a', 'b', 'c']) {
      const result = await store.acquire(key, 'fp', opts(now));
      if (result.state === 'acquired') await store.complete(key, result.token, new Uint8Array([1]), { ttlMs: 10_000, now });
    }
    await store.acquire('d', 'fp', opts(now));
    expect(store.size).toBe(3);
    expect(await store.get('a', { now })).toBeUndefined();
    expect((await store.get('b', { now }))?.status).toBe('completed');
    await store.close();
  });

  it('never evicts a live lease: when every slot is a running request, the new one is refused', async () => {
    const store = new MemoryStore({ maxEntries: 2 });
    const now = Date.now();
    await store.acquire('a', 'fp', opts(now));
    await store.acquire('b', 'fp', opts(now));
    await expect(store.acquire('c', 'fp', opts(now))).rejects.toBeInstanceOf(StorageError);
    expect((await store.get('a', { now }))?.status).toBe('in_progress');
    expect(await store.get('c', { now })).toBeUndefined();
    // Once a lease has expired it may make room.
    expect((await store.acquire('c', 'fp', opts(now + 1_001))).state).toBe('acquired');
    await store.close();
  });

  it('stays bounded by maxEntries under many unique keys', async () => {
    const store = new MemoryStore({ maxEntries: 100 });
    const now = Date.now();
    for (let i = 0; i < 5_000; i++) {
      const result = await store.acquire(`k${i}`, 'fp', opts(now));
      if (result.state === 'acquired') await store.complete(`k${i}`, result.token, new Uint8Array(8), { ttlMs: 10_000, now });
    }
    expect(store.size).toBe(100);
    await store.close();
  });

  it('sweep removes expired records', async () => {
    const store = new MemoryStore({ sweepInterval: 0 });
    const now = Date.now();
    await store.acquire('a', 'fp', { lockTtlMs: 50, ttlMs: 100, now });
    await store.acquire('b', 'fp', { lockTtlMs: 1_000, ttlMs: 10_000, now });
    // A pending record lives until its lease ends, at least: 'b' (lease to +1000) survives +200.
    await store.acquire('c', 'fp', { lockTtlMs: 1_000, ttlMs: 100, now });
    expect(store.sweep(now + 200)).toBe(1);
    expect(store.size).toBe(2);
    expect(store.sweep(now + 1_000)).toBe(1);
    expect(store.size).toBe(1);
    await store.close();
  });

  it('its sweep timer never keeps a process alive', () => {
    const script = `
      const { MemoryStore } = require(${JSON.stringify(require.resolve('../src/memory-store.ts'))});
      new MemoryStore({ sweepInterval: 10 });
      console.log('created');`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: __dirname,
      timeout: 10_000,
      encoding: 'utf8',
    });
    expect(result.stdout).toContain('created');
    expect(result.status).toBe(0);
  });

  it.each([
    [{ maxEntries: 0 }, /maxEntries/],
    [{ maxEntries: 1.5 }, /maxEntries/],
    [{ sweepInterval: -1 }, /sweepInterval/],
    [{ prefix: 3 as unknown as string }, /prefix/],
  ])('rejects bad options %p', (options, message) => {
    expect(() => new MemoryStore(options)).toThrow(ConfigurationError);
    expect(() => new MemoryStore(options)).toThrow(message);
  });
});

describe('MemoryStore byte bound (maxBytes)', () => {
  const complete = async (store: MemoryStore, key: string, size: number, now: number) => {
    const result = await store.acquire(key, 'fp', opts(now));
    if (result.state !== 'acquired') throw new Error(`expected to acquire ${key}`);
    expect(await store.complete(key, result.token, new Uint8Array(size), { ttlMs: 10_000, now })).toBe(true);
  };

  it('holds no more than maxBytes: past it the oldest finished records are evicted', async () => {
    const store = new MemoryStore({ maxBytes: 64 * 1024 });
    const now = Date.now();
    for (let i = 0; i < 100; i++) await complete(store, `k${i}`, 4 * 1024, now);
    expect(store.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(store.size).toBeLessThan(16);
    expect(await store.get('k0', { now })).toBeUndefined();
    expect((await store.get('k99', { now }))?.response?.byteLength).toBe(4 * 1024);
    await store.close();
  });

  it('keeps one response larger than maxBytes alone rather than lose a handler’s result', async () => {
    const store = new MemoryStore({ maxBytes: 8 * 1024 });
    const now = Date.now();
    await complete(store, 'small', 100, now);
    await complete(store, 'huge', 64 * 1024, now);
    expect((await store.get('huge', { now }))?.status).toBe('completed');
    expect(await store.get('small', { now })).toBeUndefined();
    expect(store.size).toBe(1);
    await store.close();
  });

  it('counts released, deleted, expired and replaced records out again', async () => {
    const store = new MemoryStore({ sweepInterval: 0 });
    const now = Date.now();
    expect(store.bytes).toBe(0);
    const released = await store.acquire('released', 'fp', opts(now));
    if (released.state === 'acquired') await store.release('released', released.token);
    await complete(store, 'deleted', 1_000, now);
    await store.delete('deleted');
    await complete(store, 'expired', 1_000, now);
    store.sweep(now + 10_001);
    await complete(store, 'replaced', 1_000, now);
    await complete(store, 'replaced', 2_000, now + 10_001); // expired, acquired and completed anew
    await store.delete('replaced');
    expect(store.size).toBe(0);
    expect(store.bytes).toBe(0);
    await store.close();
  });

  it('refuses a new request in O(1) when full of running leases (it does not walk them)', async () => {
    const store = new MemoryStore({ maxEntries: 10_000 });
    const now = Date.now();
    for (let i = 0; i < 10_000; i++) await store.acquire(`running-${i}`, 'fp', opts(now));
    // Work is counted, not timed: the number of Map lookups one refusal makes.
    const lookups = jest.spyOn(Map.prototype, 'get');
    await expect(store.acquire('one-more', 'fp', opts(now))).rejects.toBeInstanceOf(StorageError);
    await expect(store.acquire('and-another', 'fp', opts(now))).rejects.toBeInstanceOf(StorageError);
    const perRefusal = lookups.mock.calls.length / 2;
    lookups.mockRestore();
    expect(perRefusal).toBeLessThan(20);
    expect(store.size).toBe(10_000);
    await store.close();
  });

  it('a lease that stopped renewing makes room; one that renews does not', async () => {
    const store = new MemoryStore({ maxEntries: 2 });
    const now = Date.now();
    const renewed = await store.acquire('renewed', 'fp', opts(now));
    await store.acquire('abandoned', 'fp', opts(now));
    if (renewed.state !== 'acquired') throw new Error('expected to acquire');
    expect(await store.extend('renewed', renewed.token, { lockTtlMs: 1_000, now: now + 900 })).toBe(true);
    expect((await store.acquire('new', 'fp', opts(now + 1_001))).state).toBe('acquired');
    expect(await store.get('abandoned', { now: now + 1_001 })).toBeUndefined();
    expect((await store.get('renewed', { now: now + 1_001 }))?.status).toBe('in_progress');
    await store.close();
  });

  it('checks maxBytes at construction', () => {
    expect(() => new MemoryStore({ maxBytes: 100 })).toThrow('`maxBytes` must be a whole number of bytes ≥ 1024');
    expect(() => new MemoryStore({ maxBytes: 1.5e6 + 0.5 })).toThrow(ConfigurationError);
  });
});
