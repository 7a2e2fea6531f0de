/**
 * The two PostgreSQL ledger variants: the ledger they write one row into per first execution, a counted
 * pool (counted-clients.ts), and the app they both serve, which differs only in how `POST /orders` writes
 * its row.
 */
import { idempotency } from '@idem/express';
import { SqlStore, postgres } from '@idem/sql';
import type pg from 'pg';
import { type BenchAppOptions, benchEnv, createBenchApp, serve, stats } from './bench-app';
import { countedPool } from './counted-clients';

export const ledgerTable = `${benchEnv.pgTable}_ledger`;

async function createLedger(pool: pg.Pool): Promise<void> {
  await pool.query(
    `CREATE TABLE IF NOT EXISTS "${ledgerTable}" (id bigserial PRIMARY KEY, amount integer, booked_at timestamptz NOT NULL DEFAULT now())`,
  );
}

export const INSERT_ROW = `INSERT INTO "${ledgerTable}" (amount) VALUES ($1)`;

/** Serves the bench app with @idem/express on @idem/sql (PostgreSQL); `writeRow` makes `POST /orders`'s ledger write. */
export async function serveLedgerApp(writeRow: (pool: pg.Pool) => NonNullable<BenchAppOptions['effect']>): Promise<void> {
  const pool = countedPool();
  const store = new SqlStore({ dialect: postgres(pool), table: benchEnv.pgTable });
  await store.migrate();
  await createLedger(pool);
  stats.statements = 0;
  serve(createBenchApp({ protect: [idempotency({ store })], effect: writeRow(pool) }), () => pool.end());
}
