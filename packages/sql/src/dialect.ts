/**
 * What differs between databases, and nothing more: identifier quoting, the DDL, the acquire upsert,
 * the batched purge, how a statement is sent through the driver, and which errors are transient.
 * Everything else (the other transitions, hashing, retries, error wrapping) is shared by `SqlStore`.
 */
import type { PlaceholderStyle } from './named-params';
import type { DialectTransaction } from './sql-transaction';
import type { TableName } from './table-name';

export type DialectName = 'postgres' | 'mysql' | 'sqlite';

/** The SQL text of one dialect: pure functions of the table name, usable without a connection. */
export interface DialectSql {
  readonly name: DialectName;
  readonly placeholders: PlaceholderStyle;
  quote(identifier: string): string;
  /**
   * The database's clock as epoch milliseconds (a BIGINT expression, one value per statement): every
   * expiry and lease decision is taken on it, so app servers whose clocks disagree still agree.
   */
  readonly now: string;
  /** The statements that create the table and its expiry index, each idempotent (IF NOT EXISTS). */
  createTable(table: TableName): string[];
  /**
   * The acquire upsert. Named parameters: id, key, fingerprint, token, createdAt (the caller's `now`,
   * which names the lease), expiresIn and lockTtl (ms from the database's `now`). When
   * `acquireReturnsRow`, it RETURNs the row as it stands after the statement.
   */
  acquire(table: TableName): string;
  /** Deletes at most :limit rows with expires_at <= :before (NULL: the database's `now`). */
  purge(table: TableName): string;
}

/** One row as the table holds it (drivers return BIGINT as string or number). */
export interface StoredRow {
  idempotency_key: string;
  fingerprint: string;
  status: string;
  token: string | null;
  response: Uint8Array | null;
  created_at: string | number;
  expires_at: string | number;
  lock_expires_at: string | number;
}

export interface StatementResult {
  rows: StoredRow[];
  /** Rows inserted, updated (matched) or deleted. */
  affected: number;
}

/** A dialect bound to the user's driver object (pool, client or database). */
export interface SqlDialect {
  readonly sql: DialectSql;
  /** Whether the acquire statement returns the row itself; otherwise the store reads it back. */
  readonly acquireReturnsRow: boolean;
  execute(sql: string, params: unknown[]): Promise<StatementResult>;
  /** Deadlocks, serialization failures and busy databases: worth running the statement again. */
  isTransient(error: unknown): boolean;
  /** Opens a transaction for the handler (on `connection`, or on one of the dialect's own); see sql-transaction.ts. */
  begin?(connection?: unknown): Promise<DialectTransaction>;
}

export const COLUMNS = 'idempotency_key, fingerprint, status, token, response, created_at, expires_at, lock_expires_at';

/** The record is gone for every operation: expired, or a pending record whose owner's lease lapsed (`now`: the dialect's clock). */
export const stale = (now: string, row = 'r.') =>
  `${row}expires_at <= ${now} OR (${row}status = 'in_progress' AND ${row}lock_expires_at <= ${now})`;
