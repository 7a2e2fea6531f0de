/** Hono + @idem/hono on @idem/redis (ioredis). */
import { idempotency } from '@idem/hono';
import { RedisStore } from '@idem/redis';
import { benchEnv } from './bench-app';
import { createHonoBenchApp, serveHono } from './hono-app';

const store = new RedisStore({ url: benchEnv.redisUrl, prefix: `idem-bench-${benchEnv.tag}` });
serveHono(createHonoBenchApp(idempotency({ store })), () => store.close());
