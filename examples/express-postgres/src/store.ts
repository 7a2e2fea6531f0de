/** The idempotency store and the ledger on one PostgreSQL: both tables are created on start if missing. */
import { Pool } from 'pg';
import { postgres, SqlStore } from '@idem/sql';

export async function openStore(url: string, table?: string, ledger = 'ledger') {
  const pool = new Pool({ connectionString: url });
  // An idle connection the server drops is reported here; without a listener it would crash the process.
  pool.on('error', (error) => console.error('postgres pool:', error.message));
  // A pg Pool (not a single Client): the handler's transaction takes a connection of its own.
  const store = new SqlStore({ dialect: postgres(pool), table });
  await store.migrate();
  // Deliberately no unique constraint on anything: exactly-once is idem's job here, not the schema's.
  await pool.query(
    `CREATE TABLE IF NOT EXISTS "${ledger}" (id serial PRIMARY KEY, amount integer NOT NULL, booked_at timestamptz NOT NULL DEFAULT now())`,
  );
  return { store, pool, close: () => pool.end() };
}
