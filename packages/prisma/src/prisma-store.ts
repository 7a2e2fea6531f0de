/**
 * The Prisma store: keeps records in a model of the application's own schema, through the
 * application's own PrismaClient (any adapter, any extension). Every transition is one statement whose
 * outcome the database decides:
 *
 * - acquire: `create` (INSERT). A unique violation (P2002) means a record exists: `findUnique` reads
 *   it, and a live record is the answer. A stale one (expired, or its lease ran out) is taken over by
 *   one conditional `updateMany` whose `count` decides. No read ever decides an acquisition, so two
 *   owners can never both think they hold a key.
 * - complete / extend: `updateMany` on key + token + pending + not expired (fencing).
 * - release: `deleteMany` on key + token + pending.
 *
 * First execution: INSERT, then UPDATE on completion (2 statements). Replay: INSERT (refused) and
 * SELECT (2 statements). Takeover of an abandoned lease: INSERT (refused), SELECT, UPDATE.
 *
 * Which clock dates leases and expiry is the `clock` option: the caller's `now` (default), or with
 * `clock: 'store'` the database's, read as database-clock.ts says; the caller's `now` then only stamps
 * `createdAt`, which names the lease.
 */
import { randomUUID } from 'node:crypto';
import {
  ConfigurationError,
  DEFAULT_PREFIX,
  namespacedKey,
  StorageError,
  type AcquireOptions,
  type AcquireResult,
  type IdempotencyRecord,
  type StoreClock,
  type StoreTransaction,
  type TransactionalStore,
  type TransactionOptions,
} from '@idem/core';
import { DatabaseClock, databaseTime, readsClockOf } from './database-clock';
import { isDelegate, type IdempotencyDelegate } from './delegate';
import { isUniqueViolation, storageError } from './prisma-errors';
import { openPrismaTransaction, type PrismaTransactionOptions } from './prisma-transaction';
import { SingleWriterGate } from './single-writer-gate';
import { isAbandoned, isExpired, toRecord } from './record';
import { storedKey } from './stored-key';

export interface PrismaStoreOptions<Client extends object = object> {
  /** Your PrismaClient (plain or `$extends`-ed). The store never connects or disconnects it. */
  prisma: Client;
  /** The model's delegate name on the client. Default `idempotencyRecord` (model `IdempotencyRecord`). */
  model?: Extract<keyof Client, string>;
  /** Prepended to every key, so several stores can share one table. Default none. */
  prefix?: string;
  /**
   * `$transaction` options for the handler's transactions (`idempotencyTransaction(req)`, `context.transaction`):
   * `timeout` (default 60 000 ms: past it Prisma rolls the handler's writes back), `maxWait` (default
   * 5 000 ms), `isolationLevel` (default the database's own).
   */
  transactionOptions?: PrismaTransactionOptions;
  /**
   * Which clock dates leases and expiry. `'caller'` (default): the `now` idem passes, the app server's
   * clock. `'store'`: the database's clock, so app servers whose clocks disagree (by more than `lockTtl`
   * even) still agree on whose lease is live. PostgreSQL, MySQL/MariaDB and SQLite.
   */
  clock?: StoreClock;
}

/**
 * How often acquire retries when the record it found vanished or expired between two statements
 * (released or deleted by its owner). Each retry needs another writer to have changed the row, so
 * running out means pathological churn, reported as a StorageError.
 */
const MAX_ACQUIRE_ATTEMPTS = 5;

export class PrismaStore<Client extends object = object> implements TransactionalStore {
  /** Which clock decides expiry and takeover: the `clock` option. */
  readonly clock: StoreClock;
  /** Present with `clock: 'store'`. */
  private readonly databaseClock: DatabaseClock | undefined;
  private readonly records: IdempotencyDelegate;
  private readonly prefix: string;
  private readonly prisma: Client;
  private readonly model: string;
  private readonly transactionOptions: PrismaTransactionOptions;
  /** SQLite only (one connection): the store's calls wait while a handler's transaction is open. */
  private readonly gate: SingleWriterGate | undefined;

  constructor(options: PrismaStoreOptions<Client>) {
    const {
      prisma,
      model = 'idempotencyRecord',
      prefix = DEFAULT_PREFIX,
      transactionOptions = {},
      clock = 'caller',
    } = options ?? ({} as PrismaStoreOptions<Client>);
    if (typeof prisma !== 'object' || prisma === null)
      throw new ConfigurationError('PrismaStore needs `prisma`: your PrismaClient instance');
    if (typeof model !== 'string' || model === '')
      throw new ConfigurationError('`model` must be the delegate name of the idempotency model, e.g. "idempotencyRecord"');
    if (typeof prefix !== 'string') throw new ConfigurationError('`prefix` must be a string');
    const delegate = (prisma as Record<string, unknown>)[model];
    if (!isDelegate(delegate)) {
      throw new ConfigurationError(
        `\`prisma.${model}\` is not a Prisma model: add the IdempotencyRecord model to schema.prisma and run \`prisma generate\`, or set \`model\` to its delegate name`,
      );
    }
    if (typeof transactionOptions !== 'object' || transactionOptions === null)
      throw new ConfigurationError('`transactionOptions` must be an object of $transaction options');
    if (clock !== 'caller' && clock !== 'store') throw new ConfigurationError("`clock` must be 'caller' or 'store'");
    const provider = (prisma as { _activeProvider?: unknown })._activeProvider;
    if (clock === 'store') {
      const raw = prisma as { $queryRawUnsafe?: unknown };
      if (!readsClockOf(provider) || typeof raw.$queryRawUnsafe !== 'function') {
        throw new ConfigurationError(
          `\`clock: 'store'\` reads the database's clock through $queryRawUnsafe on PostgreSQL, MySQL/MariaDB or SQLite; this client's provider is ${JSON.stringify(provider)}: use \`clock: 'caller'\``,
        );
      }
      // Not through the SQLite gate: the fenced complete inside a handler's transaction may need a reading
      // while the gate is closed, and a read of the time changes nothing, even run inside that transaction.
      this.databaseClock = new DatabaseClock({ read: databaseTime(prisma as Parameters<typeof databaseTime>[0], provider) });
    }
    this.clock = clock;
    this.records = delegate;
    this.prefix = prefix;
    this.prisma = prisma;
    this.model = model;
    this.transactionOptions = transactionOptions;
    this.gate = provider === 'sqlite' ? new SingleWriterGate() : undefined;
  }

  async acquire(key: string, fingerprint: string, { lockTtlMs, ttlMs, now: callerNow }: AcquireOptions): Promise<AcquireResult> {
    const id = this.id(key);
    const token = randomUUID();
    for (let attempt = 0; attempt < MAX_ACQUIRE_ATTEMPTS; attempt++) {
      const now = await this.time(callerNow, 'acquire');
      const fresh = {
        fingerprint,
        status: 'in_progress',
        response: null,
        token,
        createdAt: BigInt(callerNow),
        // A pending record lives at least as long as its lease, whatever `ttl` is (ttl counts from completion).
        expiresAt: BigInt(now + Math.max(ttlMs, lockTtlMs)),
        lockExpiresAt: BigInt(now + lockTtlMs),
      };
      try {
        await this.gated(() => this.records.create({ data: { key: id, ...fresh }, select: { key: true } }));
        return { state: 'acquired', token };
      } catch (error) {
        if (!isUniqueViolation(error)) throw storageError(error, 'acquire');
      }
      // A record exists. Read it: a live one is the answer (a replay costs INSERT + SELECT). Only a
      // stale one is taken over, and then the conditional update's count decides, never the read.
      const row = await this.call('acquire', () => this.records.findUnique({ where: { key: id } }));
      if (row && !isExpired(row, now) && !isAbandoned(row, now)) {
        const record = toRecord(row, key);
        return record.status === 'completed' ? { state: 'completed', record } : { state: 'in_progress', record };
      }
      if (!row) continue; // released or deleted in between: insert again
      const takeover = await this.call('acquire', () =>
        this.records.updateMany({
          where: {
            key: id,
            OR: [{ expiresAt: { lte: BigInt(now) } }, { status: 'in_progress', lockExpiresAt: { lte: BigInt(now) } }],
          },
          data: fresh,
        }),
      );
      if (takeover.count === 1) return { state: 'acquired', token };
      // Someone else took it over or renewed it first: look again.
    }
    throw new StorageError(`Prisma idempotency store acquire gave up on key ${JSON.stringify(key)}: the record kept changing`);
  }

  async complete(key: string, token: string, response: Uint8Array, times: { ttlMs: number; now: number }): Promise<boolean> {
    const completion = await this.completion(key, token, response, times);
    const { count } = await this.call('complete', () => this.records.updateMany(completion));
    return count === 1;
  }

  /**
   * Opens an interactive `$transaction` on your client for the handler's writes; its `complete` is this
   * store's fenced `updateMany` on the transaction client, then COMMIT (see prisma-transaction.ts). The
   * handle is Prisma's transaction client: annotate `tx: Prisma.TransactionClient`.
   */
  async beginTransaction(options: TransactionOptions = {}): Promise<StoreTransaction> {
    if (options.connection !== undefined) {
      throw new ConfigurationError('PrismaStore runs transactions on its own PrismaClient (yours): pass no `connection`');
    }
    const reopen = await this.gate?.close();
    let transaction: StoreTransaction;
    try {
      transaction = await openPrismaTransaction(this.prisma, this.model, this.transactionOptions, (...args) => this.completion(...args));
    } catch (error) {
      reopen?.();
      throw storageError(error, 'begin transaction');
    }
    if (!reopen) return transaction;
    const ended = <T>(promise: Promise<T>) => promise.finally(reopen);
    return {
      handle: transaction.handle,
      complete: (...args) => ended(transaction.complete(...args)),
      commit: () => ended(transaction.commit()),
      rollback: () => ended(transaction.rollback()),
    };
  }

  /** The fenced update that completes a record: the same for `complete` and inside a transaction. */
  private async completion(key: string, token: string, response: Uint8Array, times: { ttlMs: number; now: number }) {
    const now = await this.time(times.now, 'complete');
    const { ttlMs } = times;
    return {
      where: this.owned(key, token, now),
      data: { status: 'completed', response: new Uint8Array(response), token: null, expiresAt: BigInt(now + ttlMs) },
    };
  }

  async release(key: string, token: string): Promise<boolean> {
    // Token only, no clock: the caller's clock may differ from the one that wrote the lease.
    const { count } = await this.call('release', () =>
      this.records.deleteMany({ where: { key: this.id(key), token, status: 'in_progress' } }),
    );
    return count === 1;
  }

  /**
   * The record's expiry follows the lease (a handler slower than `ttl` keeps its key while it renews).
   * Prisma has no "set to the greater of" update, so two conditional statements: the usual case (the
   * record outlives the new lease end) costs one; a record due sooner is pushed by the second. Both are
   * fenced by the token, so no other writer can slip in between.
   */
  async extend(key: string, token: string, { lockTtlMs, now: callerNow }: { lockTtlMs: number; now: number }): Promise<boolean> {
    const now = await this.time(callerNow, 'extend');
    const lockExpiresAt = BigInt(now + lockTtlMs);
    const owned = this.owned(key, token, now);
    const renewed = await this.call('extend', () =>
      this.records.updateMany({ where: { ...owned, expiresAt: { gte: lockExpiresAt } }, data: { lockExpiresAt } }),
    );
    if (renewed.count === 1) return true;
    const pushed = await this.call('extend', () =>
      this.records.updateMany({
        where: { ...owned, expiresAt: { gt: BigInt(now), lt: lockExpiresAt } },
        data: { lockExpiresAt, expiresAt: lockExpiresAt },
      }),
    );
    return pushed.count === 1;
  }

  async get(key: string, options: { now?: number } = {}): Promise<IdempotencyRecord | undefined> {
    const row = await this.call('get', () => this.records.findUnique({ where: { key: this.id(key) } }));
    return row && !isExpired(row, await this.time(options.now ?? Date.now(), 'get')) ? toRecord(row, key) : undefined;
  }

  async delete(key: string): Promise<void> {
    await this.call('delete', () => this.records.deleteMany({ where: { key: this.id(key) } }));
  }

  /**
   * Deletes every record in the table that expired at `now` (of any prefix: an expired record is dead
   * to every store) and returns how many. Prisma has no native expiry: call it from a cron job; the
   * index on `expiresAt` keeps it cheap. Default `now`: the store's clock (`clock` option).
   */
  async purgeExpired(given?: number): Promise<number> {
    const now = given ?? (await this.time(Date.now(), 'purgeExpired'));
    const { count } = await this.call('purgeExpired', () => this.records.deleteMany({ where: { expiresAt: { lte: BigInt(now) } } }));
    return count;
  }

  /** The PrismaClient is the application's: nothing to close. */
  async close(): Promise<void> {}

  /** The row's key column: the record's name (`idem:k1`), escaped so that keys differing by a lone surrogate stay apart. */
  private id(key: string): string {
    return storedKey(namespacedKey(this.prefix, key));
  }

  /** The instant a decision is taken at: the caller's `now`, or the database's clock with `clock: 'store'`. */
  private async time(callerNow: number, operation: string): Promise<number> {
    if (!this.databaseClock) return callerNow;
    try {
      return await this.databaseClock.now();
    } catch (error) {
      throw storageError(error, `${operation} (reading the database's clock)`);
    }
  }

  /** The pending record owned by `token` and still alive at `now`. */
  private owned(key: string, token: string, now: number) {
    return { key: this.id(key), token, status: 'in_progress', expiresAt: { gt: BigInt(now) } };
  }

  private async call<T>(operation: string, query: () => Promise<T>): Promise<T> {
    try {
      return await this.gated(query);
    } catch (error) {
      throw storageError(error, operation);
    }
  }

  private gated<T>(query: () => Promise<T>): Promise<T> {
    return this.gate ? this.gate.shared(query) : query();
  }
}
