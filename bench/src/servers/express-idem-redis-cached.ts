/** Express + @idem/express on @idem/redis behind `withLocalCache`: a hot replay is answered from this process, no round trip. */
import { withLocalCache } from '@idem/core';
import { idempotency } from '@idem/express';
import { RedisStore } from '@idem/redis';
import { benchEnv, createBenchApp, serve } from './bench-app';

const redis = new RedisStore({ url: benchEnv.redisUrl, prefix: `idem-bench-${benchEnv.tag}` });
const store = withLocalCache(redis, { max: 10_000 });
serve(createBenchApp({ protect: [idempotency({ store })] }), () => redis.close());
