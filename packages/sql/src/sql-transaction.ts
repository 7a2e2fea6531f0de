/**
 * The handler's transaction on a SQL database (see @idem/core's transaction.ts for the semantics). The
 * dialect opens it on a connection of its own — never the one the store sends renewals through — at
 * READ COMMITTED (SQLite: one writer, serializable by nature). The record row is not read or locked
 * until the final fenced `complete`, an UPDATE by primary key that row-locks it for the instant before
 * COMMIT: a renewal or a takeover by another owner waits for that instant at most, and the transaction
 * never waits on them, so the two cannot deadlock.
 */
import { CommitOutcomeUnknownError, toStorageError, type StoreTransaction } from '@idem/core';
import type { StatementResult } from './dialect';

/** An open transaction on one connection, as a dialect gives it. */
export interface DialectTransaction {
  /** What the handler writes through: the driver's connection (pg PoolClient, mysql2 connection, SQLite Database). */
  readonly handle: unknown;
  execute(sql: string, params: unknown[]): Promise<StatementResult>;
  /**
   * COMMIT and give the connection back. Throws `CommitOutcomeUnknownError` when the answer was lost
   * with the connection; any other error means the database refused it and rolled back.
   */
  commit(): Promise<void>;
  /** ROLLBACK and give the connection back. Never throws (a dead connection rolled back already). */
  rollback(): Promise<void>;
}

/** The fenced complete as one bound statement: the store's own `complete` UPDATE. */
export type BoundComplete = (
  key: string,
  token: string,
  response: Uint8Array,
  options: { ttlMs: number; now: number },
) => { sql: string; params: unknown[] };

export function sqlStoreTransaction(transaction: DialectTransaction, complete: BoundComplete, table: string): StoreTransaction {
  return {
    handle: transaction.handle,
    async complete(key, token, response, options) {
      const statement = complete(key, token, response, options);
      let result: StatementResult;
      try {
        result = await transaction.execute(statement.sql, statement.params);
      } catch (error) {
        // e.g. the handler's own statement failed earlier and the transaction is aborted.
        await transaction.rollback();
        throw toStorageError(error, `complete in transaction (table ${table})`);
      }
      if (result.affected === 0) {
        // Another owner took the lease over: nothing of this handler's may remain.
        await transaction.rollback();
        return false;
      }
      try {
        await transaction.commit();
      } catch (error) {
        if (error instanceof CommitOutcomeUnknownError) throw error;
        throw toStorageError(error, `commit (table ${table})`);
      }
      return true;
    },
    async commit() {
      try {
        await transaction.commit();
      } catch (error) {
        throw toStorageError(error, `commit (table ${table})`);
      }
    },
    rollback: () => transaction.rollback(),
  };
}
