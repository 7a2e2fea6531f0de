/** The floor under idem on Redis (store-floor.ts): the RedisStore's two round trips alone. */
import { RedisStore } from '@idem/redis';
import { benchEnv, createBenchApp, serve } from './bench-app';
import { storeFloor } from './store-floor';

const store = new RedisStore({ url: benchEnv.redisUrl, prefix: `idem-bench-${benchEnv.tag}` });
serve(createBenchApp({ protect: [storeFloor(store)] }), () => store.close());
