import { MemoryStore } from '../src';
import { InsertionQueue } from '../src/insertion-queue';

describe('InsertionQueue', () => {
  it('shifts in insertion order and reclaims its consumed front', () => {
    const queue = new InsertionQueue<number>();
    for (let i = 0; i < 5000; i++) queue.push(i);
    for (let i = 0; i < 4000; i++) expect(queue.shift()).toBe(i);
    expect(queue.length).toBe(1000);
    queue.push(5000);
    expect(queue.shift()).toBe(4000);
  });

  it('compacts to the items still wanted, keeping their order', () => {
    const queue = new InsertionQueue<number>();
    for (let i = 0; i < 10; i++) queue.push(i);
    queue.shift();
    queue.compact((n) => n % 2 === 0);
    expect([queue.shift(), queue.shift(), queue.length]).toEqual([2, 4, 2]);
  });
});

describe('MemoryStore eviction order', () => {
  it('evicts in creation order even after many keys were released in between', async () => {
    const store = new MemoryStore({ maxEntries: 3, sweepInterval: 0 });
    const now = Date.now();
    const opts = { lockTtlMs: 1_000, ttlMs: 60_000, now };
    const done = async (key: string) => {
      const result = await store.acquire(key, 'fp', opts);
      if (result.state === 'acquired') await store.complete(key, result.token, new Uint8Array(), { ttlMs: 60_000, now });
    };
    await done('a');
    for (let i = 0; i < 10_000; i++) {
      const result = await store.acquire(`tmp-${i}`, 'fp', opts);
      if (result.state === 'acquired') await store.release(`tmp-${i}`, result.token);
    }
    await done('b');
    await done('c');
    await done('d');
    expect(await store.get('a', { now })).toBeUndefined();
    expect((await store.get('b', { now }))?.status).toBe('completed');
    expect(store.size).toBe(3);
    await store.close();
  });
});
