/**
 * The idempotency store on Redis. Given a URL, RedisStore creates its own client with options that
 * fail fast while Redis is down (requests get 503 + Retry-After instead of hanging) and closes it in
 * `store.close()`. To share your own ioredis client instead: `new RedisStore({ client })`.
 */
import { RedisStore } from '@idem/redis';

export function openStore(url: string, prefix = 'payments-idem'): RedisStore {
  return new RedisStore({ url, prefix });
}
