/**
 * The store logic every dialect shares. Each transition is one statement (MySQL's acquire: an upsert
 * and a read-back), decided on the database's clock (`clock: 'store'`), never an app server's: two
 * servers whose clocks disagree by more than `lockTtl` still agree on whose lease is live. Times are
 * BIGINT epoch milliseconds; the caller's `now` only stamps `created_at`, which names the lease. A
 * record's id is the SHA-256 of its name, `namespacedKey(prefix, key)` (`idem:k1`), so any key of any
 * length and alphabet fits a fixed-width primary key; the key itself is kept alongside, in
 * `idempotency_key`.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  ConfigurationError,
  DEFAULT_PREFIX,
  namespacedKey,
  StorageError,
  textBytes,
  toStorageError,
  type AcquireOptions,
  type AcquireResult,
  type IdempotencyRecord,
  type StoreTransaction,
  type TransactionalStore,
  type TransactionOptions,
} from '@idem/core';
import { COLUMNS, type SqlDialect, type StoredRow } from './dialect';
import { bindParameters, compileStatement, type CompiledStatement } from './named-params';
import { retryTransient } from './retry';
import { sqlStoreTransaction } from './sql-transaction';
import { DEFAULT_TABLE, parseTableName, qualifiedName } from './table-name';

export interface SqlStoreOptions {
  /** The database: `postgres(pool)`, `mysql(pool)` or `sqlite(db)`. */
  dialect: SqlDialect;
  /** Table name, optionally schema-qualified (`billing.idempotency_keys`). Default `idempotency_keys`. */
  table?: string;
  /** Namespace for keys, so several apps can share one table without seeing each other's keys. Default `idem`. */
  prefix?: string;
}

export interface PurgeOptions {
  /** Most rows deleted by this call (a cron run with a bounded cost). Default: every expired row. */
  limit?: number;
  /** Rows deleted per statement, so no single statement holds locks for long. Default 1000. */
  batchSize?: number;
  /** What "expired" is measured against, epoch ms. Default: the database's clock. */
  now?: number;
}

type StatementName = 'acquire' | 'select' | 'get' | 'complete' | 'release' | 'extend' | 'delete' | 'purge';

// A MySQL acquire reads the row back in a second statement; if the row vanished in between (released
// or deleted), acquiring again is the right answer. Bounded so a pathological loop surfaces as an error.
const ACQUIRE_ATTEMPTS = 5;

export class SqlStore implements TransactionalStore {
  /** Leases and expiry run on the database's clock, not the app's `now`. */
  readonly clock = 'store' as const;
  private readonly dialect: SqlDialect;
  private readonly prefix: string;
  private readonly table: string;
  private readonly ddl: string[];
  private readonly statements: Record<StatementName, CompiledStatement>;

  constructor(options: SqlStoreOptions) {
    const { dialect, table = DEFAULT_TABLE, prefix = DEFAULT_PREFIX } = options ?? ({} as SqlStoreOptions);
    if (!dialect || typeof dialect.execute !== 'function' || !dialect.sql) {
      throw new ConfigurationError('`dialect` is required: postgres(pool), mysql(pool) or sqlite(db)');
    }
    if (typeof prefix !== 'string') throw new ConfigurationError('`prefix` must be a string');
    const tableName = parseTableName(table);
    const sql = dialect.sql;
    const name = qualifiedName(tableName, sql.quote);
    this.dialect = dialect;
    this.prefix = prefix;
    this.table = table;
    this.ddl = sql.createTable(tableName);
    const now = sql.now;
    const owned = `id = :id AND token = :token AND status = 'in_progress' AND expires_at > ${now}`;
    const templates: Record<StatementName, string> = {
      acquire: sql.acquire(tableName),
      select: `SELECT ${COLUMNS} FROM ${name} WHERE id = :id`,
      get: `SELECT ${COLUMNS} FROM ${name} WHERE id = :id AND expires_at > ${now}`,
      complete: `UPDATE ${name} SET status = 'completed', response = :response, token = NULL, expires_at = ${now} + :ttl WHERE ${owned}`,
      // No expiry test: a token match is what proves ownership.
      release: `DELETE FROM ${name} WHERE id = :id AND token = :token AND status = 'in_progress'`,
      // The record's expiry follows the lease: a handler slower than `ttl` keeps its key while it renews.
      extend: `UPDATE ${name} SET lock_expires_at = ${now} + :lockTtl, expires_at = CASE WHEN expires_at < ${now} + :lockTtl THEN ${now} + :lockTtl ELSE expires_at END WHERE ${owned}`,
      delete: `DELETE FROM ${name} WHERE id = :id`,
      purge: sql.purge(tableName),
    };
    this.statements = Object.fromEntries(
      Object.entries(templates).map(([key, template]) => [key, compileStatement(template, sql.placeholders)]),
    ) as Record<StatementName, CompiledStatement>;
  }

  /** Creates the table and its expiry index if they are missing. Safe to run on every start. */
  async migrate(): Promise<void> {
    try {
      for (const statement of this.ddl) {
        // Two processes migrating at once can both pass IF NOT EXISTS; the loser's retry sees the table.
        await this.dialect.execute(statement, []).catch(() => this.dialect.execute(statement, []));
      }
    } catch (error) {
      throw toStorageError(error, `migrate (table ${this.table})`);
    }
  }

  async acquire(key: string, fingerprint: string, { lockTtlMs, ttlMs, now }: AcquireOptions): Promise<AcquireResult> {
    const token = randomUUID();
    // A pending record lives at least as long as its lease, whatever `ttl` is (ttl counts from completion).
    const values = {
      id: this.id(key),
      key,
      fingerprint,
      token,
      createdAt: now,
      expiresIn: wholeMs(Math.max(ttlMs, lockTtlMs)),
      lockTtl: wholeMs(lockTtlMs),
    };
    for (let attempt = 0; attempt < ACQUIRE_ATTEMPTS; attempt++) {
      let row = (await this.run('acquire', values)).rows[0];
      if (!this.dialect.acquireReturnsRow) row = (await this.run('select', values)).rows[0];
      if (!row) continue;
      if (row.token === token) return { state: 'acquired', token };
      const record = toRecord(row, key);
      return record.status === 'completed' ? { state: 'completed', record } : { state: 'in_progress', record };
    }
    throw new StorageError(`Idempotency store acquire failed: the record for this key kept vanishing (${ACQUIRE_ATTEMPTS} attempts)`);
  }

  async complete(key: string, token: string, response: Uint8Array, { ttlMs, now }: { ttlMs: number; now: number }): Promise<boolean> {
    const result = await this.run('complete', this.completeValues(key, token, response, { ttlMs, now }));
    return result.affected > 0;
  }

  /**
   * Opens a transaction for the handler's own writes; its `complete` is this store's fenced UPDATE run
   * inside it, then COMMIT (see sql-transaction.ts for the isolation and locking of each dialect).
   */
  async beginTransaction(options: TransactionOptions = {}): Promise<StoreTransaction> {
    if (!this.dialect.begin) throw new ConfigurationError(`The ${this.dialect.sql.name} dialect given to SqlStore opens no transactions`);
    let transaction;
    try {
      transaction = await this.dialect.begin(options.connection);
    } catch (error) {
      throw toStorageError(error, `begin transaction (table ${this.table})`);
    }
    const statement = this.statements.complete;
    return sqlStoreTransaction(
      transaction,
      (key, token, response, times) => ({
        sql: statement.sql,
        params: bindParameters(statement, this.completeValues(key, token, response, times)),
      }),
      this.table,
    );
  }

  private completeValues(key: string, token: string, response: Uint8Array, { ttlMs }: { ttlMs: number; now: number }) {
    const bytes = Buffer.from(response.buffer, response.byteOffset, response.byteLength);
    return { id: this.id(key), token, response: bytes, ttl: wholeMs(ttlMs) };
  }

  async release(key: string, token: string): Promise<boolean> {
    return (await this.run('release', { id: this.id(key), token })).affected > 0;
  }

  async extend(key: string, token: string, { lockTtlMs }: { lockTtlMs: number; now: number }): Promise<boolean> {
    return (await this.run('extend', { id: this.id(key), token, lockTtl: wholeMs(lockTtlMs) })).affected > 0;
  }

  /** The record while it is live on the database's clock; `now` is not consulted. */
  async get(key: string, _options?: { now?: number }): Promise<IdempotencyRecord | undefined> {
    const row = (await this.run('get', { id: this.id(key) })).rows[0];
    return row && toRecord(row, key);
  }

  async delete(key: string): Promise<void> {
    await this.run('delete', { id: this.id(key) });
  }

  /**
   * Deletes expired rows (of every prefix) in batches of `batchSize`, until none are left or `limit`
   * rows are gone; returns how many were deleted. Expired rows are already invisible to the store:
   * this only reclaims space, so run it from a cron job at any interval.
   */
  async purgeExpired(options: PurgeOptions = {}): Promise<number> {
    const { limit = Infinity, batchSize = 1000, now } = options;
    if (!(limit === Infinity || (Number.isSafeInteger(limit) && limit >= 0)))
      throw new ConfigurationError('`limit` must be a whole number ≥ 0');
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new ConfigurationError('`batchSize` must be a whole number ≥ 1');
    if (now !== undefined && !Number.isFinite(now)) throw new ConfigurationError('`now` must be epoch milliseconds');
    let deleted = 0;
    while (deleted < limit) {
      const batch = Math.min(batchSize, limit - deleted);
      const { affected } = await this.run('purge', { before: now ?? null, limit: batch });
      deleted += affected;
      if (affected < batch) break;
    }
    return deleted;
  }

  /** The store never owns the connection: closing the pool or database is the caller's job. */
  async close(): Promise<void> {}

  private id(key: string): string {
    // namespacedKey keeps prefix "a" + key "bc" apart from prefix "ab" + key "c"; `textBytes` keeps keys
    // that differ only by a lone surrogate apart (UTF-8 would make both U+FFFD). Well-formed names hash
    // as their UTF-8, so `sha256('idem:k1')` in SQL finds a row by hand.
    return createHash('sha256')
      .update(textBytes(namespacedKey(this.prefix, key)))
      .digest('hex');
  }

  private async run(name: StatementName, values: Record<string, unknown>) {
    const statement = this.statements[name];
    const params = bindParameters(statement, values);
    try {
      return await retryTransient(
        () => this.dialect.execute(statement.sql, params),
        (error) => this.dialect.isTransient(error),
      );
    } catch (error) {
      throw toStorageError(error, `${name} (table ${this.table})`);
    }
  }
}

/** `key` is the caller's: the stored copy is for people reading the table (a lone surrogate reads back as U+FFFD). */
function toRecord(row: StoredRow, key: string): IdempotencyRecord {
  const record: IdempotencyRecord = {
    key,
    fingerprint: row.fingerprint,
    status: row.status === 'completed' ? 'completed' : 'in_progress',
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    lockExpiresAt: Number(row.lock_expires_at),
  };
  // Drivers hand back Buffers; a plain Uint8Array copy keeps the driver's pooled memory out of reach.
  if (record.status === 'completed' && row.response) record.response = new Uint8Array(row.response);
  return record;
}

/** Durations are bound as whole milliseconds (BIGINT arithmetic on every database). */
function wholeMs(ms: number): number {
  return Math.max(0, Math.ceil(ms));
}
