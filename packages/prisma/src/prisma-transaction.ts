/**
 * Prisma transactions for the handler: an interactive `$transaction` on the application's own client,
 * held open until core ends it. Its `handle` is Prisma's transaction client (`Prisma.TransactionClient`):
 * the handler writes through it, and the record's fenced `complete` is an `updateMany` on the same
 * client, so both commit together, only if the token still owns the lease.
 *
 * Isolation is the database's default unless `transactionOptions.isolationLevel` says otherwise
 * (PostgreSQL: READ COMMITTED, the level the fence needs: renewals update the record row from other
 * connections while the transaction is open, and the final UPDATE re-checks the token on the latest
 * committed row). The record row is not touched before that final statement, so renewals and a takeover
 * never wait on the open transaction. On SQLite see single-writer-gate.ts.
 */
import { CommitOutcomeUnknownError, ConfigurationError, type StoreTransaction } from '@idem/core';
import type { IdempotencyDelegate, IdempotencyRow, RowFilter } from './delegate';
import { storageError } from './prisma-errors';

/** Passed to `$transaction` as they are (Prisma's own names). */
export interface PrismaTransactionOptions {
  /** Most milliseconds the handler's transaction may stay open before Prisma rolls it back. Default 60 000. */
  timeout?: number;
  /** Most milliseconds to wait for a connection to open it. Default 5 000. */
  maxWait?: number;
  /** e.g. `'ReadCommitted'`; default the database's own (PostgreSQL: READ COMMITTED). */
  isolationLevel?: string;
}

export const DEFAULT_TRANSACTION_OPTIONS = { timeout: 60_000, maxWait: 5_000 };

type InteractiveClient = { $transaction(work: (tx: Record<string, unknown>) => Promise<unknown>, options?: object): Promise<unknown> };

/** What `complete` writes, built by the store (the same filter and data as its own `complete`). */
export type FencedComplete = (
  key: string,
  token: string,
  response: Uint8Array,
  options: { ttlMs: number; now: number },
) => Promise<{ where: RowFilter; data: Partial<IdempotencyRow> }>;

const ROLLBACK = Symbol('rollback');

// P2028: Prisma's transaction API refused (expired, closed): the transaction did not commit.
const REFUSED = new Set(['P2028']);

export async function openPrismaTransaction(
  prisma: object,
  model: string,
  options: PrismaTransactionOptions,
  fenced: FencedComplete,
): Promise<StoreTransaction> {
  if (typeof (prisma as Partial<InteractiveClient>).$transaction !== 'function') {
    throw new ConfigurationError('Transactions need a PrismaClient with interactive transactions (`$transaction(async (tx) => …)`)');
  }
  let decide!: (ending: 'commit' | typeof ROLLBACK) => void;
  const decided = new Promise<'commit' | typeof ROLLBACK>((resolve) => (decide = resolve));
  let opened!: (tx: Record<string, unknown>) => void;
  const handle = new Promise<Record<string, unknown>>((resolve) => (opened = resolve));
  const done = (prisma as InteractiveClient).$transaction(
    async (tx) => {
      opened(tx);
      if ((await decided) === ROLLBACK) throw ROLLBACK;
    },
    { ...DEFAULT_TRANSACTION_OPTIONS, ...options },
  );
  // Settles once, whichever way; nobody is left with an unheard rejection.
  const settled = done.then(
    () => undefined,
    (error: unknown) => error,
  );
  const tx = await Promise.race([
    handle,
    settled.then((error) => Promise.reject(error ?? new Error('the transaction ended before it began'))),
  ]);

  const rollback = async () => {
    decide(ROLLBACK);
    await settled;
  };
  const commit = async () => {
    decide('commit');
    const error = await settled;
    if (error === undefined) return;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && REFUSED.has(code)) throw storageError(error, 'commit');
    // Anything else may have come after the commit reached the database.
    throw new CommitOutcomeUnknownError({ cause: error });
  };
  return {
    handle: tx,
    async complete(key, token, response, times) {
      let count: number;
      try {
        const { where, data } = await fenced(key, token, response, times);
        ({ count } = await (tx[model] as IdempotencyDelegate).updateMany({ where, data }));
      } catch (error) {
        // e.g. the handler's own statement failed earlier and PostgreSQL aborted the transaction.
        await rollback();
        throw storageError(error, 'complete in transaction');
      }
      if (count === 0) {
        // Another owner took the lease over: nothing of this handler's may remain.
        await rollback();
        return false;
      }
      await commit();
      return true;
    },
    commit,
    rollback,
  };
}
