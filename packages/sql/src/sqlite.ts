/**
 * SQLite through `better-sqlite3` (≥ 3.35 for UPSERT … RETURNING; better-sqlite3 11+ bundles newer).
 * The driver is synchronous: each statement runs to completion inside one call, and SQLite's file
 * locks serialize writers across processes. Set `busy_timeout` so a writer waits for another instead of
 * failing at once, and WAL so readers never block writers.
 */
import { COLUMNS, stale, type DialectSql, type SqlDialect, type StoredRow } from './dialect';
import { sqliteTransactions } from './sqlite-transaction';
import { indexName, qualifiedName } from './table-name';

/** The part of a `better-sqlite3` Database the store uses. */
export interface SqliteDatabase {
  prepare(sql: string): {
    readonly reader: boolean;
    all(...params: unknown[]): unknown[];
    run(...params: unknown[]): { changes: number };
  };
  /** better-sqlite3's flag: true while a transaction is open. */
  readonly inTransaction?: boolean;
}

const quote = (identifier: string) => `"${identifier}"`;
// julianday('now') is one instant per statement, to the millisecond (unixepoch('subsec') needs 3.42).
const NOW = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

export const sqliteSql: DialectSql = {
  name: 'sqlite',
  placeholders: 'positional',
  quote,
  now: NOW,
  createTable: (table) => [
    `CREATE TABLE IF NOT EXISTS ${qualifiedName(table, quote)} (
  id TEXT NOT NULL PRIMARY KEY,
  idempotency_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status TEXT NOT NULL,
  token TEXT,
  response BLOB,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  lock_expires_at INTEGER NOT NULL
)`,
    // SQLite qualifies the index (not the table) with the schema.
    `CREATE INDEX IF NOT EXISTS ${qualifiedName({ schema: table.schema, name: indexName(table) }, quote)} ON ${quote(table.name)} (expires_at)`,
  ],
  acquire: (table) => upsertReturning(qualifiedName(table, quote)),
  purge: (table) => {
    const name = qualifiedName(table, quote);
    return `DELETE FROM ${name} WHERE rowid IN (SELECT rowid FROM ${name} WHERE expires_at <= COALESCE(:before, ${NOW}) LIMIT :limit)`;
  },
};

const TRANSIENT = /^SQLITE_(BUSY|LOCKED)/;

export function sqlite(db: SqliteDatabase): SqlDialect {
  if (typeof db?.prepare !== 'function') throw new TypeError('sqlite() needs a better-sqlite3 Database');
  // Prepared once per SQL text: the store only ever sends a handful of statements.
  const prepared = new Map<string, ReturnType<SqliteDatabase['prepare']>>();
  const run = (sql: string, params: unknown[]) => {
    let statement = prepared.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      prepared.set(sql, statement);
    }
    if (statement.reader) return { rows: statement.all(...params) as StoredRow[], affected: 0 };
    return { rows: [], affected: statement.run(...params).changes };
  };
  // While a handler's transaction is open on this one connection, the store's statements wait for it.
  const transactions = sqliteTransactions(db, run);
  return {
    sql: sqliteSql,
    acquireReturnsRow: true,
    async execute(sql, params) {
      for (let open = transactions.open(); open; open = transactions.open()) await open;
      return run(sql, params);
    },
    isTransient: (error) => TRANSIENT.test((error as { code?: string })?.code ?? ''),
    begin: (connection) => transactions.begin(connection),
  };
}

/**
 * SQLite's acquire (≥ 3.35, UPSERT … RETURNING): the upsert always "updates" a conflicting row, but each
 * column keeps its old value unless the record is stale, so RETURNING yields either our new pending
 * record or the live one (with its response) that blocked us, in one statement. (SQLite serialises
 * writers, so the extra row write of a replay costs little there.)
 */
function upsertReturning(name: string): string {
  const keep = (column: string, fresh: string) => `${column} = CASE WHEN ${stale(NOW)} THEN ${fresh} ELSE r.${column} END`;
  return `INSERT INTO ${name} AS r (id, ${COLUMNS})
VALUES (:id, :key, :fingerprint, 'in_progress', :token, NULL, :createdAt, ${NOW} + :expiresIn, ${NOW} + :lockTtl)
ON CONFLICT (id) DO UPDATE SET
  ${[
    keep('idempotency_key', 'excluded.idempotency_key'),
    keep('fingerprint', 'excluded.fingerprint'),
    keep('status', 'excluded.status'),
    keep('token', 'excluded.token'),
    keep('response', 'NULL'),
    keep('created_at', 'excluded.created_at'),
    keep('expires_at', 'excluded.expires_at'),
    keep('lock_expires_at', 'excluded.lock_expires_at'),
  ].join(',\n  ')}
RETURNING ${COLUMNS}`;
}
