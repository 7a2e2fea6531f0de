/**
 * A handler run that `Idempotency.handle()` decided on: under a lease (`LeasedExecution`), or without
 * protection when the store failed and `failOpen` let it run (`UnprotectedExecution`). Each is one
 * object per request, with its behaviour on the prototype: no closure per request, and its database
 * transaction is only built when the handler asks for one.
 */
import { encodeResponse } from './codec';
import { LeaseLostError, ResponseNotStoredError, toStorageError, type IdempotencyError } from './errors';
import type { HttpResponse } from './http';
import type { Lease } from './lease';
import type { IdempotencyOutcome } from './outcome';
import { problemResponse } from './problem';
import { NOT_STORED_MARKER } from './replayable';
import type { IdempotencyStore } from './store';
import { ExecutionTransaction, type TransactionOptions, type TransactionRunner } from './transaction';

/** A handler run under a lease (or unprotected, when the store failed and `failOpen` is on). */
export interface Execution {
  /** The storage key, for logs (the client's key is `outcome.key`). */
  readonly key: string;
  /** False when the store failed and `failOpen` let the handler run without protection. */
  readonly protected: boolean;
  /**
   * Runs `work` in a database transaction that commits together with the record, in `finish` (the
   * store must offer transactions: see transaction.ts). Annotate `tx` with your driver's type.
   */
  readonly transaction: TransactionRunner;
  /**
   * Records the response if it should be stored; resolves to whether it was. Never throws. When it
   * resolves a `response`, send that instead of the handler's: the handler's transaction was rolled
   * back (lease lost: 409; database failure: 503), so its answer would describe writes that never happened.
   */
  finish(response: HttpResponse): Promise<FinishResult>;
  /** The handler failed or the client went away: roll its transaction back and release the key so a retry runs again. Never throws. */
  abort(): Promise<void>;
}

export interface FinishResult {
  readonly stored: boolean;
  readonly response?: HttpResponse;
}

/** What an execution needs from its manager: built once per manager, shared by its every execution. */
export interface ExecutionContext<Raw> {
  readonly store: IdempotencyStore;
  readonly lockTtl: number;
  readonly maxResponseBytes: number;
  /** `shouldStore`, guarded: a throwing one stores nothing. */
  shouldStore(response: HttpResponse, clientKey: string): boolean;
  /** The response headers a record keeps (`keepResponseHeaders`). */
  keptHeaders(headers: HttpResponse['headers']): HttpResponse['headers'];
  errorResponse(error: IdempotencyError, req: Raw): Promise<HttpResponse>;
  reportStoreError(error: IdempotencyError, clientKey: string, key: string, failOpen: boolean): void;
}

const STORED: FinishResult = Object.freeze({ stored: true });
const NOT_STORED: FinishResult = Object.freeze({ stored: false });

/**
 * The one transaction of an execution, built at the handler's first `transaction(work)` call. Once the
 * execution ended (finish or abort), a transaction built late is ended at once, so `work` is refused.
 */
abstract class TransactionHolder<Raw> {
  private held: ExecutionTransaction | undefined;
  private runner: TransactionRunner | undefined;
  private closed = false;

  constructor(protected readonly context: ExecutionContext<Raw>) {}

  /** Built on first read: most handlers never ask for it. Bound, so it can be handed around. */
  get transaction(): TransactionRunner {
    this.runner ??= <Tx, R>(work: (tx: Tx) => R | Promise<R>, options?: TransactionOptions) => this.opened().run(work, options);
    return this.runner;
  }

  /** Ends the execution's transaction phase: the transaction the handler opened, if it opened one. */
  protected close(): ExecutionTransaction | undefined {
    this.closed = true;
    return this.held;
  }

  private opened(): ExecutionTransaction {
    if (!this.held) {
      this.held = new ExecutionTransaction(this.context.store);
      if (this.closed) this.held.end();
    }
    return this.held;
  }
}

export class LeasedExecution<Raw> extends TransactionHolder<Raw> implements Execution {
  readonly protected = true;

  constructor(
    context: ExecutionContext<Raw>,
    private readonly lease: Lease,
    private readonly clientKey: string,
    private readonly outcome: IdempotencyOutcome,
    private readonly req: Raw,
  ) {
    super(context);
  }

  get key(): string {
    return this.lease.key;
  }

  async abort(): Promise<void> {
    await this.close()?.rollback();
    await this.lease.release();
  }

  async finish(response: HttpResponse): Promise<FinishResult> {
    const { context, lease } = this;
    const transaction = this.close();
    if (!context.shouldStore(response, this.clientKey)) {
      await transaction?.rollback();
      await lease.release();
      return NOT_STORED;
    }
    let payload = encodeResponse({ status: response.status, headers: context.keptHeaders(response.headers), body: response.body });
    // Too large to keep: the key is still marked done (replayed as 409 RESPONSE_NOT_STORED) so that a
    // retry can never run the handler a second time.
    const tooLarge = payload.length > context.maxResponseBytes;
    if (tooLarge) payload = encodeResponse(notStoredRecord());
    const inTransaction = transaction?.active === true;
    try {
      const owned = transaction ? await transaction.complete(lease, payload) : await lease.complete(payload);
      if (!owned && inTransaction)
        return { stored: false, response: await context.errorResponse(new LeaseLostError(Math.ceil(context.lockTtl / 1000)), this.req) };
      this.outcome.stored = owned && !tooLarge;
      return this.outcome.stored ? STORED : NOT_STORED;
    } catch (error) {
      // Without a transaction the handler's effects happened: its answer goes out, and the lease is
      // kept (not released) so retries get 409 until it expires rather than running it again at once.
      // With one, they were rolled back: the client must not be told they happened.
      const storageError = toStorageError(error, 'complete');
      context.reportStoreError(storageError, this.clientKey, lease.key, false);
      return inTransaction ? { stored: false, response: await context.errorResponse(storageError, this.req) } : NOT_STORED;
    }
  }
}

/** The store failed and `failOpen` runs the handler anyway; its transaction (if any) commits on its own. */
export class UnprotectedExecution<Raw> extends TransactionHolder<Raw> implements Execution {
  readonly protected = false;

  constructor(
    context: ExecutionContext<Raw>,
    readonly key: string,
    private readonly clientKey: string,
    private readonly req: Raw,
  ) {
    super(context);
  }

  async abort(): Promise<void> {
    await this.close()?.rollback();
  }

  async finish(response: HttpResponse): Promise<FinishResult> {
    const transaction = this.close();
    if (!transaction?.active) {
      transaction?.end();
      return NOT_STORED;
    }
    if (!this.context.shouldStore(response, this.clientKey)) {
      await transaction.rollback();
      return NOT_STORED;
    }
    try {
      await transaction.commit();
      return NOT_STORED;
    } catch (error) {
      const storageError = toStorageError(error, 'commit');
      this.context.reportStoreError(storageError, this.clientKey, this.key, true);
      return { stored: false, response: await this.context.errorResponse(storageError, this.req) };
    }
  }
}

/** What a key whose response was too large holds: the answer a retry gets, marked so it is no replay. */
function notStoredRecord(): HttpResponse {
  const problem = problemResponse(new ResponseNotStoredError());
  return { ...problem, headers: { ...problem.headers, [NOT_STORED_MARKER]: '1' } };
}
