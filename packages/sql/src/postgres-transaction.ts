/**
 * PostgreSQL transactions for the handler: a connection checked out of the store's `pg` Pool (or the
 * application's own client, passed as `connection`), `BEGIN ISOLATION LEVEL READ COMMITTED`.
 *
 * Why READ COMMITTED: the lease is renewed (the record row updated) by other connections while the
 * transaction runs. Under REPEATABLE READ or SERIALIZABLE, the final fenced UPDATE of a row changed
 * after the snapshot fails with a serialization error, so every handler longer than a third of
 * `lockTtl` would roll back. Under READ COMMITTED the UPDATE waits for a concurrent writer of the row,
 * then re-checks its WHERE (token, status) against the latest committed version: exactly the fence.
 * For read-modify-write of your own rows, take row locks (`SELECT … FOR UPDATE`).
 */
import { CommitOutcomeUnknownError, ConfigurationError } from '@idem/core';
import type { StoredRow } from './dialect';
import type { PgQueryable } from './postgres';
import type { PgQueryConfig } from './postgres-statements';
import type { DialectTransaction } from './sql-transaction';

/** A pg PoolClient (or Client): what the handler's `tx` is. */
export interface PgTransactionClient extends PgQueryable {
  release?(error?: Error | boolean): void;
  on?(event: 'error', listener: (error: Error) => void): unknown;
  off?(event: 'error', listener: (error: Error) => void): unknown;
}

interface PgPoolLike extends PgQueryable {
  connect(callback: (error: Error | undefined, client: PgTransactionClient | undefined) => void): void;
  totalCount?: number;
}

/**
 * Checks a connection out with `listener` already on it. pg-pool takes its own 'error' listener off a
 * connection as it hands it over, and `await pool.connect()` resumes only a microtask later. A message
 * read in the same chunk as the previous user's last answer (a backend terminated just after it) is
 * emitted in between, with nobody listening: an uncaught exception. The callback runs at the hand-over.
 */
function checkOut(pool: PgPoolLike, listener: (error: Error) => void): Promise<PgTransactionClient> {
  return new Promise((resolve, reject) =>
    pool.connect((error, client) => {
      if (error || !client) return reject(error ?? new Error('the pool gave no connection'));
      client.on?.('error', listener);
      resolve(client);
    }),
  );
}

// Class 08 (connection exception) and 57P0x (the server shut the session down) may arrive after the
// commit record was written; any other SQLSTATE is the server refusing, i.e. a rollback.
const AMBIGUOUS = /^(08|57P0)/;

export function postgresTransactions(pool: PgQueryable, queryConfig: (text: string, values: unknown[]) => PgQueryConfig) {
  return async (connection?: unknown): Promise<DialectTransaction> => {
    const given = connection as PgTransactionClient | undefined;
    if (given !== undefined && typeof given?.query !== 'function')
      throw new ConfigurationError('`connection` must be a pg PoolClient or Client');
    if (given === pool)
      throw new ConfigurationError('`connection` must not be the client the store itself uses: renewals would run inside the transaction');
    const isPool = typeof (pool as PgPoolLike).connect === 'function' && typeof (pool as PgPoolLike).totalCount === 'number';
    if (!given && !isPool) {
      throw new ConfigurationError(
        'Transactions on PostgreSQL need the store on a pg Pool (a single Client would carry the renewals inside the transaction), or a `connection`',
      );
    }
    // A connection that dies between statements emits 'error'; unheard, it would crash the process.
    // The next statement (or COMMIT) reports it instead.
    const ignore = () => undefined;
    const client = given ?? (await checkOut(pool as PgPoolLike, ignore));
    if (given) client.on?.('error', ignore);
    // A connection we checked out goes back to the pool; a broken one is destroyed (release(error)).
    const done = (error?: Error) => {
      client.off?.('error', ignore);
      if (!given) client.release?.(error);
    };
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    } catch (error) {
      done(error as Error);
      throw error;
    }
    return {
      handle: client,
      async execute(sql, params) {
        const result = await client.query(queryConfig(sql, params));
        return { rows: result.rows as StoredRow[], affected: result.rowCount ?? 0 };
      },
      async commit() {
        try {
          await client.query('COMMIT');
        } catch (error) {
          done(error as Error);
          // Only an error the server sent (it has a severity) is an answer; a socket error is silence.
          const { code, severity } = (error ?? {}) as { code?: unknown; severity?: unknown };
          const answered = typeof severity === 'string' && typeof code === 'string' && !AMBIGUOUS.test(code);
          if (!answered) throw new CommitOutcomeUnknownError({ cause: error });
          throw error;
        }
        done();
      },
      async rollback() {
        try {
          await client.query('ROLLBACK');
          done();
        } catch (error) {
          done(error as Error);
        }
      },
    };
  };
}
