/** Peer: express-idempotency on Redis through express-idempotency-redis-adapter (node-redis). */
import { getSharedIdempotencyService, idempotency } from 'express-idempotency';
import redisAdapterModule from 'express-idempotency-redis-adapter';
import { benchEnv, createBenchApp, serve } from './bench-app';

// The adapter is published as CommonJS with `exports.default`.
const RedisAdapter = (redisAdapterModule as unknown as { default: typeof redisAdapterModule }).default ?? redisAdapterModule;
const adapter = new RedisAdapter({ connectionConfig: { url: benchEnv.redisUrl } });
await adapter.connect();
const middleware = idempotency({ dataAdapter: adapter });
serve(createBenchApp({ protect: [middleware], alreadyAnswered: (req) => getSharedIdempotencyService().isHit(req) }), () =>
  adapter.disconnect(),
);
