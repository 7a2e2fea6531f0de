/**
 * The `ledger` a transactional app's handler writes: one row per execution, and deliberately NO unique
 * constraint, so a duplicate effect shows as a second row instead of being absorbed by the schema. Each
 * row holds the key and the pid of the process that wrote it, so a proof can tell whose write stands.
 */
import type Database from 'better-sqlite3';
import type { Pool, PoolClient } from 'pg';
import type { Pool as MysqlPool } from 'mysql2/promise';
import type { LedgerClient } from './prisma-clients';
import type { StoreKind } from './store-factory';

type Writer = (tx: unknown, key: string, pid: number) => Promise<void>;

/** Writes one row through the handler's transaction (the driver object `idempotencyTransaction(req)` hands over). */
export function ledgerWriter(kind: StoreKind, table: string): Writer {
  switch (kind) {
    case 'postgres':
      return async (tx, key, pid) =>
        void (await (tx as PoolClient).query(`INSERT INTO "${table}" (entry_key, pid) VALUES ($1, $2)`, [key, pid]));
    case 'mysql':
      return async (tx, key, pid) =>
        void (await (tx as { execute(sql: string, values: unknown[]): Promise<unknown> }).execute(
          `INSERT INTO \`${table}\` (entry_key, pid) VALUES (?, ?)`,
          [key, pid],
        ));
    case 'sqlite':
      return async (tx, key, pid) =>
        void (tx as Database.Database).prepare(`INSERT INTO "${table}" (entry_key, pid) VALUES (?, ?)`).run(key, pid);
    case 'prisma-postgres':
    case 'prisma-sqlite':
      // Through the schema's `Ledger` model, as a Prisma app writes; it maps to a table named `ledger`.
      if (table !== 'ledger') throw new Error(`the Prisma schema's ledger table is "ledger", not "${table}"`);
      return async (tx, key, pid) => void (await (tx as LedgerClient).ledger.create({ data: { entryKey: key, pid } }));
    default:
      throw new Error(`no ledger on a ${kind} store: it offers no transactions`);
  }
}

export interface LedgerTable {
  readonly table: string;
  create(): Promise<void>;
  /** The pids of the committed rows for `key`, read outside any transaction. */
  rows(key: string): Promise<number[]>;
  /** Committed rows per key, for every key of the run. */
  counts(): Promise<Map<string, number>>;
}

export function postgresLedger(pool: Pool, table: string): LedgerTable {
  return {
    table,
    create: async () =>
      void (await pool.query(`CREATE TABLE "${table}" (id serial PRIMARY KEY, entry_key text NOT NULL, pid integer NOT NULL)`)),
    rows: async (key) => (await pool.query(`SELECT pid FROM "${table}" WHERE entry_key = $1`, [key])).rows.map((row) => Number(row.pid)),
    counts: async () =>
      new Map(
        (await pool.query(`SELECT entry_key, COUNT(*) AS n FROM "${table}" GROUP BY entry_key`)).rows.map((row) => [
          String(row.entry_key),
          Number(row.n),
        ]),
      ),
  };
}

export function mysqlLedger(pool: MysqlPool, table: string): LedgerTable {
  return {
    table,
    create: async () =>
      void (await pool.query(
        `CREATE TABLE \`${table}\` (id INT AUTO_INCREMENT PRIMARY KEY, entry_key VARCHAR(255) NOT NULL, pid INT NOT NULL) ENGINE=InnoDB`,
      )),
    rows: async (key) =>
      ((await pool.query(`SELECT pid FROM \`${table}\` WHERE entry_key = ?`, [key]))[0] as Array<{ pid: number }>).map((row) =>
        Number(row.pid),
      ),
    counts: async () =>
      new Map(
        (
          (await pool.query(`SELECT entry_key, COUNT(*) AS n FROM \`${table}\` GROUP BY entry_key`))[0] as Array<{
            entry_key: string;
            n: number;
          }>
        ).map((row) => [String(row.entry_key), Number(row.n)]),
      ),
  };
}

export function sqliteLedger(db: Database.Database, table: string): LedgerTable {
  return {
    table,
    create: async () =>
      void db.exec(`CREATE TABLE "${table}" (id INTEGER PRIMARY KEY AUTOINCREMENT, entry_key TEXT NOT NULL, pid INTEGER NOT NULL)`),
    rows: async (key) =>
      (db.prepare(`SELECT pid FROM "${table}" WHERE entry_key = ?`).all(key) as Array<{ pid: number }>).map((row) => Number(row.pid)),
    counts: async () =>
      new Map(
        (
          db.prepare(`SELECT entry_key, COUNT(*) AS n FROM "${table}" GROUP BY entry_key`).all() as Array<{ entry_key: string; n: number }>
        ).map((row) => [row.entry_key, Number(row.n)]),
      ),
  };
}
