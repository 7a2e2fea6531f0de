/**
 * SQLite transactions for the handler, and SQLite's one-writer rule.
 *
 * A `better-sqlite3` Database is ONE connection: a transaction open on it across `await`s would swallow
 * every other statement sent through it meanwhile (other requests' acquires, renewals) and roll them
 * back with it. So the transaction runs on the store's own Database with `BEGIN IMMEDIATE`, and the
 * dialect holds the store's other statements back (asynchronously, without blocking the event loop)
 * until it ends; a second transaction waits for the first. SQLite is serializable by nature: one writer.
 *
 * What that means, and what is safe:
 * - From BEGIN IMMEDIATE to the recorded response the transaction holds the database's only write lock.
 *   In this process every other idempotent request waits for it; other processes' writers (their
 *   acquires, renewals, transactions) wait in SQLite's `busy_timeout` — a synchronous wait that blocks
 *   their event loop — and answer 503 if it runs out. Keep transactions short, and set `busy_timeout`
 *   above the longest one.
 * - While the lock is held nobody can take the lease over (a takeover is a write), so the open
 *   transaction cannot lose its lease; the fenced complete still catches a takeover that happened
 *   before BEGIN. A process killed mid-transaction releases the lock and leaves nothing: the journal
 *   (WAL) drops its uncommitted pages.
 * - Write through `tx` (the same Database object) only, and do not COMMIT or ROLLBACK yourself.
 */
import { ConfigurationError } from '@idem/core';
import type { StatementResult } from './dialect';
import type { DialectTransaction } from './sql-transaction';

interface SqliteConnection {
  prepare(sql: string): { run(...params: unknown[]): unknown };
  readonly inTransaction?: boolean;
}

export interface SqliteTransactions {
  /**
   * The open transaction's end, or undefined when none is open. The store's own statements loop on it
   * (`while (t = open()) await t`) and run with no await after the loop: several waiters wake at once
   * when a transaction ends, and the first to run may already have begun the next one.
   */
  open(): Promise<void> | undefined;
  begin(connection?: unknown): Promise<DialectTransaction>;
}

export function sqliteTransactions(db: SqliteConnection, execute: (sql: string, params: unknown[]) => StatementResult): SqliteTransactions {
  let open: Promise<void> | undefined;
  return {
    open: () => open,
    async begin(connection) {
      if (connection !== undefined && connection !== db) {
        throw new ConfigurationError(
          'SQLite transactions run on the store’s own Database (one connection, one writer): pass no `connection`',
        );
      }
      while (open) await open;
      let ended!: () => void;
      open = new Promise<void>((resolve) => (ended = resolve));
      const end = () => {
        open = undefined;
        ended();
      };
      try {
        db.prepare('BEGIN IMMEDIATE').run();
      } catch (error) {
        end();
        throw error;
      }
      const rollback = () => {
        try {
          if (db.inTransaction !== false) db.prepare('ROLLBACK').run();
        } catch {
          // No transaction left to roll back.
        }
      };
      return {
        handle: db,
        execute: async (sql, params) => execute(sql, params),
        async commit() {
          try {
            db.prepare('COMMIT').run();
          } catch (error) {
            // SQLite answered (it runs in this process): the transaction did not commit.
            rollback();
            throw error;
          } finally {
            end();
          }
        },
        async rollback() {
          rollback();
          end();
        },
      };
    },
  };
}
