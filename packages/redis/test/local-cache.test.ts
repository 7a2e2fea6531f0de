/**
 * `withLocalCache` in front of Redis: the store contract still holds (the cache only ever serves
 * completed records), and what a delete does and does not reach, with two app servers on one Redis.
 */
import { randomUUID } from 'node:crypto';
import { IdempotencyRunner, withLocalCache } from '@idem/core';
import { serviceAvailable, serviceUrls, storeConformanceSuite } from '@idem/testkit';
import { Redis } from 'ioredis';
import { RedisStore } from '../src';
import { deleteKeysWithPrefix } from './support/cleanup';

const runPrefix = `idem-redis-local-cache-${randomUUID().slice(0, 8)}`;
const client = new Redis(serviceUrls.redis, { maxRetriesPerRequest: 1, lazyConnect: true });
client.on('error', () => {});
let available = false;

storeConformanceSuite({ describe, it, beforeAll, afterAll }, 'RedisStore behind withLocalCache', {
  createStore: ({ prefix }) => withLocalCache(new RedisStore({ client, prefix: runPrefix + prefix }), { max: 1_000 }),
  available: async () =>
    (available = await serviceAvailable('Redis', async () => {
      if (client.status === 'wait') await client.connect();
      await client.ping();
    })),
});

describe('withLocalCache on two app servers sharing Redis', () => {
  afterAll(async () => {
    if (client.status === 'ready') await deleteKeysWithPrefix(client, runPrefix);
    client.disconnect();
  });

  it('a delete reaches the deleting server’s cache and Redis; the other server replays its copy until it expires', async () => {
    if (!available) return;
    const prefix = `${runPrefix}-two`;
    const [a, b] = [
      withLocalCache(new RedisStore({ client, prefix }), { max: 10 }),
      withLocalCache(new RedisStore({ client, prefix }), { max: 10 }),
    ];
    let runs = 0;
    const charge = (store: typeof a) => new IdempotencyRunner({ store, ttl: 1_500 }).run('charge', async () => ++runs);
    expect(await charge(a)).toBe(1);
    expect(await charge(a)).toBe(1); // a caches the completed record
    expect(await charge(b)).toBe(1); // so does b
    await b.delete('charge');
    expect(await client.exists(`${prefix}:charge`)).toBe(0);
    // b asks Redis again and runs anew; a, which never heard of the delete, still replays its copy.
    expect(await charge(b)).toBe(2);
    expect(await charge(a)).toBe(1);
    // ...only until that copy's expiresAt (ttl after the first completion): then it asks Redis, which
    // holds b's record (2) or, once that expired too, nothing (a third run).
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    expect(await charge(a)).toBeGreaterThan(1);
  }, 20_000);
});
