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
