/**
 * `D1Store`: `@idem/sql`'s store on Cloudflare D1. It is the same `SqlStore` with the same SQLite
 * statements; only the transport differs: each statement goes through D1's `prepare(sql).bind(...)`.
 * Every transition is ONE statement (acquire is a single UPSERT … RETURNING), which D1 runs atomically
 * on the database's single writer, so no transition needs a `batch`.
 */
import { SqlStore, sqliteSql, type SqlDialect, type StoredRow } from '@idem/sql';
import { ConfigurationError } from '@idem/core';
import type { D1DatabaseLike } from './bindings';

export interface D1StoreOptions {
  /** The D1 database binding (`env.DB`). */
  database: D1DatabaseLike;
  /** Table name. Default `idempotency_keys`. */
  table?: string;
  /** Namespace for keys, so several apps can share one table without seeing each other's keys. Default none. */
  prefix?: string;
}

export class D1Store extends SqlStore {
  constructor(options: D1StoreOptions) {
    const { database, table, prefix } = options ?? ({} as D1StoreOptions);
    super({ dialect: d1(database), table, prefix });
  }
}

/** The `SqlDialect` of D1: SQLite's SQL, sent with `prepare().bind().all()`. */
export function d1(database: D1DatabaseLike): SqlDialect {
  if (typeof database?.prepare !== 'function') throw new ConfigurationError('`database` is required: the D1 database binding (env.DB)');
  return {
    sql: sqliteSql,
    acquireReturnsRow: true,
    async execute(sql, params) {
      const { results, meta } = await database
        .prepare(sql)
        .bind(...params.map(toD1Value))
        .all<StoredRow>();
      return { rows: results.map(fromD1Row), affected: meta.changes ?? 0 };
    },
    // D1 reports no error that guarantees a statement did not run, so none is retried: it surfaces
    // as a StorageError (503, handler not run) and the client's retry decides.
    isTransient: () => false,
  };
}

/** D1 binds BLOBs from an ArrayBuffer; a Node `Buffer` view is copied to one. */
function toD1Value(value: unknown): unknown {
  if (value instanceof Uint8Array) return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
  return value ?? null;
}

/** D1 returns a BLOB as an array of numbers (or an ArrayBuffer): the store wants bytes. */
function fromD1Row(row: StoredRow): StoredRow {
  const response = row.response as unknown;
  if (response === null || response === undefined || response instanceof Uint8Array) return row;
  return { ...row, response: new Uint8Array(response as ArrayLike<number> | ArrayBuffer) };
}
