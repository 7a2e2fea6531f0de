/**
 * The store each racing child process builds: its own RedisStore on its own connection, through the
 * client the parent names in IDEM_REDIS_RACE_CLIENT (ioredis from the URL by default), under the parent
 * test's run prefix so the parent can clean up after. Closing the store closes that connection.
 */
import { RedisStore } from '../../src';
import { openClient, type ClientName } from './clients';

export async function createStore({ prefix }: { prefix: string }): Promise<RedisStore> {
  const url = process.env.IDEM_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const fullPrefix = `${process.env.IDEM_REDIS_RACE_PREFIX ?? ''}${prefix}`;
  const name = process.env.IDEM_REDIS_RACE_CLIENT as ClientName | undefined;
  if (!name) return new RedisStore({ url, prefix: fullPrefix });
  const { client, close } = await openClient(name, url);
  const store = new RedisStore({ client, prefix: fullPrefix }) as RedisStore;
  store.close = close;
  return store;
}
