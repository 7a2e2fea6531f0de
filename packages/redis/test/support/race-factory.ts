/**
 * The store each racing child process builds: its own RedisStore on its own connection (from the URL),
 * under the parent test's run prefix so the parent can clean up after.
 */
import { RedisStore } from '../../src';

export function createStore({ prefix }: { prefix: string }): RedisStore {
  const url = process.env.IDEM_REDIS_URL ?? 'redis://127.0.0.1:6379';
  return new RedisStore({ url, prefix: `${process.env.IDEM_REDIS_RACE_PREFIX ?? ''}${prefix}` });
}
