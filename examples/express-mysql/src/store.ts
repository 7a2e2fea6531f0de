/** The idempotency store on MySQL or MariaDB: the table is created on start if it is missing. */
import { createPool } from 'mysql2/promise';
import { mysql, SqlStore } from '@idem/sql';

export async function openStore(url: string, table?: string) {
  const pool = createPool({ uri: url });
  const store = new SqlStore({ dialect: mysql(pool), table });
  await store.migrate();
  return { store, pool, close: () => pool.end() };
}
