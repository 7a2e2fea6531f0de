/** Express + @idem/express on @idem/redis (ioredis). Commands are counted from outside with MONITOR. */
import { idempotency } from '@idem/express';
import { RedisStore } from '@idem/redis';
import { benchEnv, createBenchApp, serve } from './bench-app';

const store = new RedisStore({ url: benchEnv.redisUrl, prefix: `idem-bench-${benchEnv.tag}` });
serve(createBenchApp({ protect: [idempotency({ store })] }), () => store.close());
