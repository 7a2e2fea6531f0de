/**
 * Transactional completion: a store on a SQL database may run the handler's own writes and the fenced
 * `complete` of the record in ONE database transaction (what Stripe calls an "atomic phase"). The lease
 * is acquired and committed first, as always, so duplicates see `in_progress` at once. The handler then
 * writes through the transaction's handle; when its response is known, the record's `complete` runs in
 * the same transaction and it COMMITs only if the token still owns the lease. Either the effects and
 * the record are both durable, or neither is: an owner that lost its lease, crashed or failed leaves
 * nothing behind, and a retry runs on a clean slate.
 *
 * The transaction never touches the record row before that final fenced update, so lease renewals (on
 * the store's own connections, never the handler's) and a takeover by another owner never wait on it.
 */
import { ConfigurationError, IdempotencyError, toStorageError } from './errors';
import type { Lease } from './lease';
import type { IdempotencyStore } from './store';

export interface TransactionOptions {
  /**
   * Run the transaction on this connection of the application's (a pg `PoolClient`, a mysql2
   * connection, …) instead of one the store checks out of its own pool. The store never releases or
   * closes a connection it was given.
   */
  connection?: unknown;
}

/** One open database transaction, begun by a `TransactionalStore`. */
export interface StoreTransaction<Tx = unknown> {
  /** The driver's own object the handler writes through (see the store's README for its type). */
  readonly handle: Tx;
  /**
   * The fenced `complete` inside the transaction, then COMMIT when `token` still owns the lease, or
   * ROLLBACK when it does not (resolves false: the handler's writes are gone). Throws when the
   * database failed; a `CommitOutcomeUnknownError` when COMMIT itself got no answer.
   */
  complete(key: string, token: string, response: Uint8Array, options: { ttlMs: number; now: number }): Promise<boolean>;
  /** COMMIT without touching any record (only for a handler that ran unprotected, `failOpen`). */
  commit(): Promise<void>;
  /** ROLLBACK and give the connection back. Never throws. */
  rollback(): Promise<void>;
}

/** A store that can open transactions on the database its records live in. */
export interface TransactionalStore<Tx = unknown> extends IdempotencyStore {
  beginTransaction(options?: TransactionOptions): Promise<StoreTransaction<Tx>>;
}

export function isTransactionalStore(store: IdempotencyStore): store is TransactionalStore {
  return typeof (store as Partial<TransactionalStore>).beginTransaction === 'function';
}

/** What runs a handler's transaction: `execution.transaction(work)` in HTTP, `context.transaction(work)` in `run`. */
export type TransactionRunner = <Tx = unknown, R = unknown>(work: (tx: Tx) => R | Promise<R>, options?: TransactionOptions) => Promise<R>;

/**
 * The transaction of one execution: opened at the handler's first `transaction(work)` call (a second
 * call joins it), kept open after `work` resolves, and ended exactly once by `complete`, `commit` or
 * `rollback` (or `end`, when none was opened), after which `transaction()` is refused. `work` that
 * throws rolls the transaction back at once (a later call opens a fresh one).
 */
export class ExecutionTransaction {
  private open: StoreTransaction | undefined;
  private opening: Promise<StoreTransaction> | undefined;
  private ended = false;

  constructor(private readonly store: IdempotencyStore) {}

  /** True while a transaction is open: the execution must end it (complete, commit or roll back). */
  get active(): boolean {
    return this.open !== undefined || this.opening !== undefined;
  }

  async run<Tx, R>(work: (tx: Tx) => R | Promise<R>, options?: TransactionOptions): Promise<R> {
    if (this.ended) throw lateCall();
    const transaction = await this.begin(options);
    try {
      return await work(transaction.handle as Tx);
    } catch (error) {
      await (await this.take())?.rollback();
      throw error;
    }
  }

  /** Completes the record inside the transaction (fenced by the lease) and commits; see `Lease.completeIn`. */
  complete(lease: Lease, payload: Uint8Array): Promise<boolean> {
    this.ended = true;
    // None open: straight to the lease, the lease's own promise (no async layer here to wrap it in another).
    if (!this.active) return lease.complete(payload);
    return this.take().then((transaction) => (transaction ? lease.completeIn(transaction, payload) : lease.complete(payload)));
  }

  async commit(): Promise<void> {
    this.ended = true;
    await (await this.take())?.commit();
  }

  async rollback(): Promise<void> {
    this.ended = true;
    await (await this.take())?.rollback();
  }

  /** No transaction may be opened any more (the result is being recorded without one). */
  end(): void {
    this.ended = true;
  }

  /** The open transaction (waiting for a BEGIN on its way), now owned by the caller. */
  private async take(): Promise<StoreTransaction | undefined> {
    const pending = this.opening;
    const transaction = this.open ?? (pending ? await pending.catch(() => undefined) : undefined);
    this.open = undefined;
    this.opening = undefined;
    return transaction;
  }

  private begin(options?: TransactionOptions): Promise<StoreTransaction> {
    if (this.open) return Promise.resolve(this.open);
    if (this.opening) return this.opening;
    const { store } = this;
    if (!isTransactionalStore(store)) {
      return Promise.reject(new ConfigurationError('This store offers no transactions: use @idem/sql or @idem/prisma for transaction()'));
    }
    const opening = store.beginTransaction(options).then(
      (transaction) => {
        // finish()/abort() ran while BEGIN was on its way: nothing may commit through it any more.
        if (this.ended || this.opening !== opening) {
          void transaction.rollback();
          throw lateCall();
        }
        this.opening = undefined;
        this.open = transaction;
        return transaction;
      },
      (error: unknown) => {
        if (this.opening === opening) this.opening = undefined;
        throw error instanceof IdempotencyError ? error : toStorageError(error, 'begin transaction');
      },
    );
    this.opening = opening;
    return opening;
  }
}

/**
 * A transaction for work idem does not protect (a request passed through: no key, a GET, `skip`): it
 * commits on its own as soon as `work` resolves, and rolls back if it throws. So a handler written with
 * `transaction(work)` runs the same whether or not the request carried a key.
 */
export function standaloneTransaction(store: IdempotencyStore): TransactionRunner {
  return async (work, options) => {
    const transaction = new ExecutionTransaction(store);
    const result = await transaction.run(work, options);
    await transaction.commit();
    return result;
  };
}

function lateCall(): ConfigurationError {
  return new ConfigurationError('transaction() was called after the result was recorded: its writes could not commit with it');
}
