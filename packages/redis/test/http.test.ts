/** The shared HTTP scenario suite, over real sockets: Express 5 + @idem/express on a RedisStore. */
import { randomUUID } from 'node:crypto';
import express from 'express';
import { idempotency } from '@idem/express';
import { httpScenarioSuite, listen, serviceUrls, servicesRequired, type ScenarioSetup } from '@idem/testkit';
import { Redis } from 'ioredis';
import { RedisStore } from '../src';
import { deleteKeysWithPrefix } from './support/cleanup';
import { redisReachableSync } from './support/reachable';

const runPrefix = `idem-redis-http-${randomUUID().slice(0, 8)}:`;

/** Express: idempotency first, then a body parser (the middleware must leave the body readable). */
async function createServer(setup: ScenarioSetup) {
  const app = express();
  app.use(idempotency(setup.options));
  app.use(express.raw({ type: () => true, limit: '10mb' }));
  app.use(async (req, res, next) => {
    try {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const response = await setup.handle({ method: req.method, url: req.originalUrl, headers: req.headers, body });
      res.statusCode = response.status;
      for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
      res.end(Buffer.from(response.body));
    } catch (error) {
      next(error);
    }
  });
  return listen(app);
}

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
  console.warn(`\n  SKIPPED: Redis is not reachable at ${serviceUrls.redis}. Start it, or set IDEM_REQUIRE_SERVICES=1 to make this a failure.\n`);
  it.skip('HTTP scenarios: Express + RedisStore (Redis not reachable)', () => undefined);
}
