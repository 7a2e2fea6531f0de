/**
 * The app process's PrismaClient for the transactional proofs, on PostgreSQL (a schema of its own per
 * run, through `@prisma/adapter-pg`) or on a SQLite file (`@prisma/adapter-better-sqlite3`), generated
 * from ../../prisma by jest's globalSetup. Loaded only by the apps that run on Prisma, so the other
 * suites never load a Prisma client.
 */
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient as PostgresClient } from '../generated/postgresql/client';
import { PrismaClient as SqliteClient } from '../generated/sqlite/client';

/** What the handler's `tx` is (either client's `Prisma.TransactionClient`): the ledger model is all it uses. */
export interface LedgerClient {
  ledger: { create(args: { data: { entryKey: string; pid: number } }): Promise<unknown> };
}

type Record = (event: { [field: string]: unknown }) => void;

export function postgresPrisma(options: { url: string; schema: string; applicationName?: string }, record: Record): PostgresClient {
  // `application_name` lets a fault test terminate exactly this app's connections.
  const pool = new Pool({
    connectionString: options.url,
    application_name: options.applicationName,
    max: 8,
    connectionTimeoutMillis: 20_000,
  });
  // The adapter listens on a connection only once `await pool.connect()` resumed, a microtask after pg-pool
  // took its own listener off: a backend terminated right after its last answer crashed the process in
  // between. A listener for each connection's whole life closes that gap (see the package README).
  pool.on('connect', (client) => client.on('error', (error) => record({ type: 'pool-error', reason: error.message })));
  // The adapter's own listener on the pool (idle connections) reports through onPoolError.
  const adapter = new PrismaPg(pool, {
    schema: options.schema,
    onPoolError: (error) => record({ type: 'pool-error', reason: error.message }),
  });
  return new PostgresClient({ adapter });
}

export function sqlitePrisma(file: string): SqliteClient {
  // `timeout` is SQLite's busy timeout: other processes' writers wait for the file's one write lock.
  return new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}`, timeout: 5_000 }) });
}
