/**
 * MySQL / MariaDB (InnoDB) transactions for the handler: a connection taken from the store's `mysql2`
 * pool (or the application's own, passed as `connection`), `SET TRANSACTION ISOLATION LEVEL READ
 * COMMITTED` then `START TRANSACTION`.
 *
 * Why READ COMMITTED rather than InnoDB's REPEATABLE READ default: the fence is an UPDATE, and InnoDB's
 * UPDATE reads the latest committed row under either level, so both would fence correctly; READ
 * COMMITTED takes no gap locks for the handler's own locking reads and releases the locks of rows a
 * statement examined but did not change, so the handler's transaction holds fewer locks for its whole
 * duration. The final UPDATE by primary key takes one record lock on the idempotency row, for the moment
 * before COMMIT; renewals and takeovers (one-row statements on other connections) take the same lock
 * briefly, so one waits for the other at most, and never in a cycle.
 */
import { CommitOutcomeUnknownError, ConfigurationError } from '@idem/core';
import { mysql, type MysqlExecutable } from './mysql';
import type { DialectTransaction } from './sql-transaction';

/** A mysql2/promise connection (a pool's `getConnection()`, or `createConnection()`): what the handler's `tx` is. */
export interface MysqlTransactionConnection extends MysqlExecutable {
  query(sql: string): Promise<unknown>;
  release?(): void;
  destroy?(): void;
  on?(event: 'error', listener: (error: Error) => void): unknown;
  off?(event: 'error', listener: (error: Error) => void): unknown;
}

interface MysqlPoolLike extends MysqlExecutable {
  getConnection(): Promise<MysqlTransactionConnection>;
}

// The connection went away with the COMMIT in flight: it may have been applied. 1927 connection killed
// (MariaDB), 1053 server shutdown, 2006 server gone, 2013 connection lost during query.
const AMBIGUOUS = new Set([1927, 1053, 2006, 2013]);

export function mysqlTransactions(pool: MysqlExecutable) {
  return async (connection?: unknown): Promise<DialectTransaction> => {
    const given = connection as MysqlTransactionConnection | undefined;
    if (given !== undefined && (typeof given?.execute !== 'function' || typeof given?.query !== 'function')) {
      throw new ConfigurationError('`connection` must be a mysql2/promise connection');
    }
    if (given === pool)
      throw new ConfigurationError(
        '`connection` must not be the connection the store itself uses: renewals would run inside the transaction',
      );
    if (!given && typeof (pool as MysqlPoolLike).getConnection !== 'function') {
      throw new ConfigurationError(
        'Transactions on MySQL need the store on a mysql2 pool (a single connection would carry the renewals inside the transaction), or a `connection`',
      );
    }
    const conn = given ?? (await (pool as MysqlPoolLike).getConnection());
    const ignore = () => undefined;
    conn.on?.('error', ignore);
    const done = (broken?: boolean) => {
      conn.off?.('error', ignore);
      if (given) return;
      if (broken) conn.destroy?.();
      else conn.release?.();
    };
    try {
      await conn.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await conn.query('START TRANSACTION');
    } catch (error) {
      done(true);
      throw error;
    }
    const statements = mysql(conn);
    return {
      handle: conn,
      execute: (sql, params) => statements.execute(sql, params),
      async commit() {
        try {
          await conn.query('COMMIT');
        } catch (error) {
          done(true);
          const { errno, fatal } = (error ?? {}) as { errno?: unknown; fatal?: unknown };
          if (fatal === true || typeof errno !== 'number' || AMBIGUOUS.has(errno)) throw new CommitOutcomeUnknownError({ cause: error });
          throw error;
        }
        done();
      },
      async rollback() {
        try {
          await conn.query('ROLLBACK');
          done();
        } catch {
          done(true);
        }
      },
    };
  };
}
