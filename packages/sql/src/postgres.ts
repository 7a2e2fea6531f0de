/** PostgreSQL through `pg`: a Pool (recommended: it replaces dead connections) or a Client. */
import { COLUMNS, STALE, type DialectSql, type SqlDialect, type StoredRow } from './dialect';
import { indexName, qualifiedName, type TableName } from './table-name';

/** The part of `pg`'s Pool and Client the store uses. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

const quote = (identifier: string) => `"${identifier}"`;

/**
 * One statement decides and answers: the upsert always "updates" a conflicting row, but each column
 * keeps its old value unless the record is stale, so RETURNING yields either our new pending record or
 * the live one (with its response) that blocked us. A plain `DO UPDATE … WHERE` would return nothing in
 * the second case, costing a second round trip.
 */
export const postgresSql: DialectSql = {
  name: 'postgres',
  placeholders: 'numbered',
  quote,
  createTable: (table) => [
    `CREATE TABLE IF NOT EXISTS ${qualifiedName(table, quote)} (
  id char(64) PRIMARY KEY,
  idempotency_key text NOT NULL,
  fingerprint text NOT NULL,
  status varchar(16) NOT NULL,
  token varchar(64),
  response bytea,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  lock_expires_at bigint NOT NULL
)`,
    `CREATE INDEX IF NOT EXISTS ${quote(indexName(table))} ON ${qualifiedName(table, quote)} (expires_at)`,
  ],
  acquire: (table) => upsertReturning(qualifiedName(table, quote)),
  purge: (table) => {
    const name = qualifiedName(table, quote);
    return `DELETE FROM ${name} WHERE id IN (SELECT id FROM ${name} WHERE expires_at <= :now LIMIT :limit)`;
  },
};

/** The acquire upsert PostgreSQL and SQLite share (SQLite ≥ 3.35 has the same UPSERT … RETURNING). */
export function upsertReturning(name: string): string {
  const keep = (column: string, fresh: string) => `${column} = CASE WHEN ${STALE} THEN ${fresh} ELSE r.${column} END`;
  return `INSERT INTO ${name} AS r (id, ${COLUMNS})
VALUES (:id, :key, :fingerprint, 'in_progress', :token, NULL, :now, :expiresAt, :lockExpiresAt)
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

// 40001 serialization_failure, 40P01 deadlock_detected.
const TRANSIENT = new Set(['40001', '40P01']);

export function postgres(pool: PgQueryable): SqlDialect {
  if (typeof pool?.query !== 'function') throw new TypeError('postgres() needs a pg Pool or Client');
  return {
    sql: postgresSql,
    acquireReturnsRow: true,
    async execute(sql, params) {
      const result = await pool.query(sql, params);
      return { rows: result.rows as StoredRow[], affected: result.rowCount ?? 0 };
    },
    isTransient: (error) => TRANSIENT.has((error as { code?: string })?.code ?? ''),
  };
}
