/**
 * SQLite through `better-sqlite3` (≥ 3.35 for UPSERT … RETURNING; better-sqlite3 11+ bundles newer).
 * The driver is synchronous: each statement runs to completion inside one call, and SQLite's file
 * locks serialize writers across processes. Set `busy_timeout` so a writer waits for another instead of
 * failing at once, and WAL so readers never block writers.
 */
import { type DialectSql, type SqlDialect, type StoredRow } from './dialect';
import { upsertReturning } from './postgres';
import { indexName, qualifiedName } from './table-name';

/** The part of a `better-sqlite3` Database the store uses. */
export interface SqliteDatabase {
  prepare(sql: string): {
    readonly reader: boolean;
    all(...params: unknown[]): unknown[];
    run(...params: unknown[]): { changes: number };
  };
}

const quote = (identifier: string) => `"${identifier}"`;

export const sqliteSql: DialectSql = {
  name: 'sqlite',
  placeholders: 'positional',
  quote,
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
    return `DELETE FROM ${name} WHERE rowid IN (SELECT rowid FROM ${name} WHERE expires_at <= :now LIMIT :limit)`;
  },
};

const TRANSIENT = /^SQLITE_(BUSY|LOCKED)/;

export function sqlite(db: SqliteDatabase): SqlDialect {
  if (typeof db?.prepare !== 'function') throw new TypeError('sqlite() needs a better-sqlite3 Database');
  // Prepared once per SQL text: the store only ever sends a handful of statements.
  const prepared = new Map<string, ReturnType<SqliteDatabase['prepare']>>();
  return {
    sql: sqliteSql,
    acquireReturnsRow: true,
    async execute(sql, params) {
      let statement = prepared.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        prepared.set(sql, statement);
      }
      if (statement.reader) return { rows: statement.all(...params) as StoredRow[], affected: 0 };
      return { rows: [], affected: statement.run(...params).changes };
    },
    isTransient: (error) => TRANSIENT.test((error as { code?: string })?.code ?? ''),
  };
}
