/** Fastify + @idem/fastify on @idem/redis (ioredis). */
import { idempotency } from '@idem/fastify';
import { RedisStore } from '@idem/redis';
import { benchEnv } from './bench-app';
import { createFastifyBenchApp, serveFastify } from './fastify-app';

const store = new RedisStore({ url: benchEnv.redisUrl, prefix: `idem-bench-${benchEnv.tag}` });
await serveFastify(await createFastifyBenchApp((app) => app.register(idempotency, { store })), () => store.close());
