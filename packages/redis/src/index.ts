export { RedisStore, type RedisStoreOptions } from './redis-store';
export { SAFE_CLIENT_OPTIONS, type RedisClient } from './client';
