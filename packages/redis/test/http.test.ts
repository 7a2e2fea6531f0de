/** The shared HTTP scenario suite, over real sockets: Express 5 + @idem/express on a RedisStore. */
import { randomUUID } from 'node:crypto';
import express from 'express';
import { expressAdapter } from '../../express/test/adapters';
import { httpScenarioSuite, serviceUrls, servicesRequired } from '@idem/testkit';
import { Redis } from 'ioredis';
import { RedisStore } from '../src';
import { deleteKeysWithPrefix } from './support/cleanup';
import { redisReachableSync } from './support/reachable';

const runPrefix = `idem-redis-http-${randomUUID().slice(0, 8)}`;

/** Express 5 with the middleware first and a body parser after it, as @idem/express tests it. */
const createServer = expressAdapter(express);

if (redisReachableSync(serviceUrls.redis)) {
  const client = new Redis(serviceUrls.redis, { maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  afterAll(async () => {
    await deleteKeysWithPrefix(client, runPrefix);
    client.disconnect();
  });
  // Each scenario group gets its own prefix, so groups never see each other's keys.
  httpScenarioSuite({ describe, it, beforeAll, afterAll }, 'Express + RedisStore', {
    createStore: () => new RedisStore({ client, prefix: `${runPrefix}${randomUUID().slice(0, 8)}:` }),
    createServer,
  });
} else {
  if (servicesRequired()) throw new Error(`Redis is not reachable at ${serviceUrls.redis}; CI / IDEM_REQUIRE_SERVICES requires it`);
  console.warn(
    `\n  SKIPPED: Redis is not reachable at ${serviceUrls.redis}. Start it, or set IDEM_REQUIRE_SERVICES=1 to make this a failure.\n`,
  );
  it.skip('HTTP scenarios: Express + RedisStore (Redis not reachable)', () => undefined);
}
