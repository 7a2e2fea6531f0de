/** The shared store contract, against the machine's Redis with a user-supplied ioredis client. */
import { randomUUID } from 'node:crypto';
import { serviceAvailable, serviceUrls, storeConformanceSuite } from '@idem/testkit';
import { Redis } from 'ioredis';
import { RedisStore } from '../src';
import { deleteKeysWithPrefix } from './support/cleanup';

const runPrefix = `idem-redis-conformance-${randomUUID().slice(0, 8)}`;
const client = new Redis(serviceUrls.redis, { maxRetriesPerRequest: 1, lazyConnect: true });
client.on('error', () => {});

storeConformanceSuite({ describe, it, beforeAll, afterAll }, 'RedisStore', {
  createStore: ({ prefix }) => new RedisStore({ client, prefix: runPrefix + prefix }),
  service: { name: 'Redis', url: serviceUrls.redis },
  available: () =>
    serviceAvailable('Redis', async () => {
      await client.connect();
      await client.ping();
    }),
  teardown: async () => {
    if (client.status === 'ready') await deleteKeysWithPrefix(client, runPrefix);
    client.disconnect();
  },
});
