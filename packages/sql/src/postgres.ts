/**
 * PostgreSQL through `pg` (a Pool, recommended: it replaces dead connections, or a Client) or through
 * postgres.js (`postgres(url)`): one dialect, the same statements.
 */
import { ConfigurationError } from '@idem/core';
import { COLUMNS, stale, type DialectSql, type SqlDialect, type StoredRow } from './dialect';
import { isPostgresJs, postgresJsQueryable, type PostgresJsSql } from './postgres-js';
import { pgQueryConfigs, type PgQueryConfig } from './postgres-statements';
import { postgresTransactions } from './postgres-transaction';
import { indexName, qualifiedName } from './table-name';

/** The part of `pg`'s Pool and Client the store uses: a query by text, or by config (a named statement). */
export interface PgQueryable {
  query(query: string | PgQueryConfig, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

export interface PostgresDialectOptions {
  /**
   * Send the store's statements as named prepared statements, parsed once per connection. Default
   * true; false behind a transaction-pooling proxy (PgBouncer `pool_mode = transaction`), where a
   * connection may not hold a statement prepared on another. See postgres-statements.ts.
   */
  prepare?: boolean;
}

const quote = (identifier: string) => `"${identifier}"`;
// statement_timestamp(): one instant for the whole statement, even inside a long transaction.
const NOW = 'CAST(floor(extract(epoch FROM statement_timestamp()) * 1000) AS bigint)';

/**
 * One statement decides and answers: the upsert takes a stale record over (`DO UPDATE … WHERE` stale),
 * and when a live record blocks it, the same statement reads that record (with its response) instead.
 * A replay therefore only reads and row-locks: it writes no new row version. If a concurrent insert
 * committed after this statement's snapshot, both halves come back empty and the store simply runs it
 * again (the rare race costs one more round trip, never a wrong answer).
 */
export const postgresSql: DialectSql = {
  name: 'postgres',
  placeholders: 'numbered',
  quote,
  now: NOW,
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
  acquire: (table) => upsertOrRead(qualifiedName(table, quote)),
  purge: (table) => {
    const name = qualifiedName(table, quote);
    return `DELETE FROM ${name} WHERE id IN (SELECT id FROM ${name} WHERE expires_at <= COALESCE(:before, ${NOW}) LIMIT :limit)`;
  },
};

function upsertOrRead(name: string): string {
  return `WITH attempt AS (
INSERT INTO ${name} AS r (id, ${COLUMNS})
VALUES (:id, :key, :fingerprint, 'in_progress', :token, NULL, :createdAt, ${NOW} + :expiresIn, ${NOW} + :lockTtl)
ON CONFLICT (id) DO UPDATE SET
  idempotency_key = excluded.idempotency_key, fingerprint = excluded.fingerprint, status = excluded.status,
  token = excluded.token, response = NULL, created_at = excluded.created_at, expires_at = excluded.expires_at,
  lock_expires_at = excluded.lock_expires_at
WHERE ${stale(NOW)}
RETURNING ${COLUMNS}
)
SELECT ${COLUMNS} FROM attempt
UNION ALL
SELECT ${COLUMNS} FROM ${name} WHERE id = :id AND NOT EXISTS (SELECT 1 FROM attempt)`;
}

// 40001 serialization_failure, 40P01 deadlock_detected.
const TRANSIENT = new Set(['40001', '40P01']);

/** `client`: a `pg` Pool or Client, or a postgres.js `sql` instance. */
export function postgres(client: PgQueryable | PostgresJsSql, options: PostgresDialectOptions = {}): SqlDialect {
  const pool = isPostgresJs(client) ? postgresJsQueryable(client) : client;
  if (typeof pool?.query !== 'function') throw new TypeError('postgres() needs a pg Pool or Client, or a postgres.js sql instance');
  const { prepare = true } = options ?? {};
  if (typeof prepare !== 'boolean') throw new ConfigurationError('`prepare` must be true or false');
  const queryConfig = pgQueryConfigs(prepare);
  return {
    sql: postgresSql,
    acquireReturnsRow: true,
    async execute(sql, params) {
      const result = await pool.query(queryConfig(sql, params));
      return { rows: result.rows as StoredRow[], affected: result.rowCount ?? 0 };
    },
    isTransient: (error) => TRANSIENT.has((error as { code?: string })?.code ?? ''),
    // postgres.js has no checked-out client to hold a transaction across calls: transactions need pg.
    begin: isPostgresJs(client) ? undefined : postgresTransactions(pool, queryConfig),
  };
}
