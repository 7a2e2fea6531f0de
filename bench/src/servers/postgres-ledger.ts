/**
 * The ledger the two PostgreSQL ledger variants write one row into per first execution, and a pool whose
 * every statement is counted (on each connection, so a transaction's statements count too).
 */
import pg from 'pg';
import { benchEnv, stats } from './bench-app';

export const ledgerTable = `${benchEnv.pgTable}_ledger`;

export function countedPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: benchEnv.pgUrl, max: 10 });
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      stats.statements++;
      return query(...args);
    };
  });
  return pool;
}

export async function createLedger(pool: pg.Pool): Promise<void> {
  await pool.query(
    `CREATE TABLE IF NOT EXISTS "${ledgerTable}" (id bigserial PRIMARY KEY, amount integer, booked_at timestamptz NOT NULL DEFAULT now())`,
  );
}

export const INSERT_ROW = `INSERT INTO "${ledgerTable}" (amount) VALUES ($1)`;
