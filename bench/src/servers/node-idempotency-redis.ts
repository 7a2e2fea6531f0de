/** Peer: @node-idempotency/core + its Redis adapter (node-redis 4), through the README's glue. */
import { Idempotency } from '@node-idempotency/core';
import { RedisStorageAdapter } from '@node-idempotency/storage-adapter-redis';
import { benchEnv, createBenchApp, serve } from './bench-app';
import { nodeIdempotencyMiddleware } from './node-idempotency-glue';

const adapter = new RedisStorageAdapter({ url: benchEnv.redisUrl });
await adapter.connect();
const idempotency = new Idempotency(adapter, { cacheKeyPrefix: `idem-bench:${benchEnv.tag}` });
serve(createBenchApp({ protect: [nodeIdempotencyMiddleware(idempotency)] }), () => adapter.disconnect());
