/** MySQL and MariaDB through `mysql2`'s promise API (a Pool from `mysql2/promise`, or `pool.promise()`). */
import { COLUMNS, stale, type DialectSql, type SqlDialect, type StoredRow } from './dialect';
import { mysqlTransactions } from './mysql-transaction';
import { indexName, qualifiedName } from './table-name';

/** The values the store binds: text, BIGINT milliseconds, NULL and the response bytes. */
export type MysqlValue = string | number | null | Uint8Array; // a Buffer is a Uint8Array: no @types/node needed in the types

/** The part of a `mysql2/promise` Pool (or Connection) the store uses. */
export interface MysqlExecutable {
  execute(sql: string, values: MysqlValue[]): Promise<[unknown, unknown]>;
}

const quote = (identifier: string) => `\`${identifier}\``;

// UTC_TIMESTAMP(3) is the statement's start, in UTC (no session time zone or DST in the way).
const NOW = "(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(3)) DIV 1000)";
const STALE = stale(NOW, '');

/**
 * `ON DUPLICATE KEY UPDATE` assigns left to right, each assignment seeing the ones before it (unless
 * MariaDB's SIMULTANEOUS_ASSIGNMENT mode is on). The token is assigned first, from the staleness test
 * alone; every later column then takes the new value when `token` now holds ours OR the row is stale.
 * Under left-to-right rules the first term decides; under simultaneous rules `token` is still the old
 * value, never ours, and the second term (on old values) decides. Both read the same answer.
 * MySQL has no RETURNING, so the store reads the row back and knows it won when the token is its own.
 */
function acquire(name: string): string {
  const taken = `token <=> :token OR ${STALE}`;
  const keep = (column: string, fresh: string) => `${column} = IF(${taken}, ${fresh}, ${column})`;
  return `INSERT INTO ${name} (id, ${COLUMNS})
VALUES (:id, :key, :fingerprint, 'in_progress', :token, NULL, :createdAt, ${NOW} + :expiresIn, ${NOW} + :lockTtl)
ON DUPLICATE KEY UPDATE
  token = IF(${STALE}, :token, token),
  ${[
    keep('idempotency_key', ':key'),
    keep('fingerprint', ':fingerprint'),
    keep('response', 'NULL'),
    keep('created_at', ':createdAt'),
    keep('lock_expires_at', `${NOW} + :lockTtl`),
    // status and expires_at last: the staleness test above reads them.
    keep('status', "'in_progress'"),
    keep('expires_at', `${NOW} + :expiresIn`),
  ].join(',\n  ')}`;
}

export const mysqlSql: DialectSql = {
  name: 'mysql',
  placeholders: 'positional',
  quote,
  now: NOW,
  // The key is indexed by its SHA-256 (ascii, 64 bytes), far under InnoDB's index length limits;
  // the key itself can be any length of any unicode.
  createTable: (table) => [
    `CREATE TABLE IF NOT EXISTS ${qualifiedName(table, quote)} (
  id CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  idempotency_key TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  fingerprint TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  status VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  token VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  response LONGBLOB NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  lock_expires_at BIGINT NOT NULL,
  INDEX ${quote(indexName(table))} (expires_at)
) ENGINE=InnoDB`,
  ],
  acquire: (table) => acquire(qualifiedName(table, quote)),
  // MySQL takes LIMIT on DELETE directly (it refuses LIMIT inside an IN subquery).
  purge: (table) =>
    `DELETE FROM ${qualifiedName(table, quote)} WHERE expires_at <= COALESCE(:before, ${NOW}) ORDER BY expires_at LIMIT :limit`,
};

// 1213 ER_LOCK_DEADLOCK, 1205 ER_LOCK_WAIT_TIMEOUT.
const TRANSIENT = new Set([1213, 1205]);

interface ResultHeader {
  affectedRows?: number;
  info?: string;
}

export function mysql(pool: MysqlExecutable): SqlDialect {
  if (typeof pool?.execute !== 'function') throw new TypeError('mysql() needs a mysql2/promise Pool (promise API)');
  return {
    sql: mysqlSql,
    acquireReturnsRow: false,
    async execute(sql, params) {
      const [result] = await pool.execute(sql, params as MysqlValue[]);
      if (Array.isArray(result)) return { rows: result as StoredRow[], affected: 0 };
      const header = result as ResultHeader;
      // An UPDATE that matched a row but changed nothing reports 0 affected rows unless the connection
      // has CLIENT_FOUND_ROWS; "Rows matched" in the info string is right either way.
      const matched = /Rows matched: (\d+)/.exec(header.info ?? '');
      return { rows: [], affected: matched ? Number(matched[1]) : (header.affectedRows ?? 0) };
    },
    isTransient: (error) => TRANSIENT.has((error as { errno?: number })?.errno ?? 0),
    begin: mysqlTransactions(pool),
  };
}
