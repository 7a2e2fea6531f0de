export { RedisStore, type RedisStoreOptions } from './redis-store';
export { SAFE_CLIENT_OPTIONS, type RedisClient } from './client';
export type { SupportedClient } from './commands';
export type { IoredisLikeClient } from './ioredis-commands';
export type { NodeRedisClient } from './node-redis-commands';
