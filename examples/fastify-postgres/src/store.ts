/** The idempotency store on PostgreSQL: the table is created on start if it is missing. */
import { Pool } from 'pg';
import { postgres, SqlStore } from '@idem/sql';

export async function openStore(url: string, table?: string) {
  const pool = new Pool({ connectionString: url });
  // An idle connection the server drops is reported here; without a listener it would crash the process.
  pool.on('error', (error) => console.error('postgres pool:', error.message));
  const store = new SqlStore({ dialect: postgres(pool), table });
  await store.migrate();
  return { store, pool, close: () => pool.end() };
}
