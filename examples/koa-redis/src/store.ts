/** The idempotency store on Redis: keys live under `prefix`, the client is yours (the store never closes it). */
import { Redis } from 'ioredis';
import { RedisStore, SAFE_CLIENT_OPTIONS } from '@idem/redis';

export function openStore(url: string, prefix = 'payments') {
  // A down Redis fails commands quickly (the middleware answers 503) instead of queueing them for ever.
  const client = new Redis(url, { ...SAFE_CLIENT_OPTIONS, lazyConnect: true });
  client.on('error', (error) => console.error('redis:', error.message));
  const store = new RedisStore({ client, prefix });
  return { store, client, close: async () => void (await client.quit()) };
}
