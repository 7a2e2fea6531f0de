/** The stores a server runtime (Bun, Deno) can run: memory, and Redis through ioredis. */
import { MemoryStore } from '@idem/memory';
import { RedisStore } from '@idem/redis';
import type { StoreFactory } from './scenario-app';

export const serverStores: Record<string, StoreFactory> = {
  memory: () => new MemoryStore(),
  redis: (config) => new RedisStore({ url: String(config.url), prefix: String(config.prefix) }),
};
