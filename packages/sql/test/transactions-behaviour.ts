/**
 * Transactional completion on a real database, registered once per dialect: the handler's ledger
 * write and the record commit together or not at all (lease lost, handler failed, connection killed),
 * renewals keep working while the transaction is open, and the application may bring its connection.
 */
import { randomBytes } from 'node:crypto';
import { ConfigurationError, IdempotencyRunner, LeaseLostError, StorageError, type RunContext } from '@idem/core';
import type { SqlStore } from '../src';
import type { TestDatabase } from './databases';
import { ownLedgerStore } from './ledger';

export interface TransactionSuiteOptions {
  /**
   * Whether another owner can take the lease over while the transaction is open. SQLite cannot: the
   * open write transaction holds the only write lock, so the takeover is shown before it begins.
   */
  takeoverWhileOpen: boolean;
  /** Kills the server connection behind a transaction handle (from another connection). */
  killConnection?: (tx: unknown) => Promise<void>;
}

const LOCK = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function describeTransactions(database: TestDatabase, suite: TransactionSuiteOptions): void {
  describe(`transactional completion on ${database.label}`, () => {
    const { ledger, store, live } = ownLedgerStore(database, { prefix: `tx-${randomBytes(3).toString('hex')}:` });
    const key = () => `pay-${randomBytes(6).toString('hex')}`;
    const runner = (options: { lockTtl?: number; onLeaseLost?: (key: string) => void } = {}) =>
      new IdempotencyRunner({ store, lockTtl: LOCK, ...options });

    live('the handler’s write commits with the record; a retry replays without writing again', async () => {
      const k = key();
      const idem = runner();
      const charge = (context: RunContext) =>
        context.transaction(async (tx) => {
          await ledger.write(tx, k, 100);
          return { charged: 100 };
        });
      expect(await idem.run(k, charge)).toEqual({ charged: 100 });
      expect(await ledger.rows(k)).toBe(1);
      expect((await store.get(k))?.status).toBe('completed');
      let ranAgain = false;
      expect(await idem.run(k, async (context) => ((ranAgain = true), charge(context)))).toEqual({ charged: 100 });
      expect(ranAgain).toBe(false);
      expect(await ledger.rows(k)).toBe(1);
    });

    live('a handler that throws after writing rolls the write back and releases the key: the retry writes once', async () => {
      const k = key();
      const idem = runner();
      const failure = new Error('card declined by the bank after the ledger write');
      await expect(
        idem.run(k, async (context) => {
          await context.transaction((tx) => ledger.write(tx, k, 1));
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await ledger.rows(k)).toBe(0);
      expect(await store.get(k)).toBeUndefined();
      await idem.run(k, (context) => context.transaction((tx) => ledger.write(tx, k, 1)));
      expect(await ledger.rows(k)).toBe(1);
    });

    live('work that throws rolls back at once; a result stored after it commits none of the work', async () => {
      const k = key();
      const result = await runner().run(k, async (context) => {
        await context
          .transaction(async (tx) => {
            await ledger.write(tx, k, 1);
            throw new Error('insufficient funds');
          })
          .catch(() => undefined);
        return { declined: true };
      });
      expect(result).toEqual({ declined: true });
      expect(await ledger.rows(k)).toBe(0);
      expect((await store.get(k))?.status).toBe('completed');
    });

    live('two transaction() calls in one run share one transaction that commits once', async () => {
      const k = key();
      await runner().run(k, async (context) => {
        await context.transaction((tx) => ledger.write(tx, k, 1));
        await context.transaction((tx) => ledger.write(tx, k, 2));
      });
      expect(await ledger.rows(k)).toBe(2);
    });

    live('a lease taken over before the commit: rolled back, LeaseLostError, onLeaseLost once, the new owner’s record stands', async () => {
      const k = key();
      const lost: string[] = [];
      // A frozen owner: its renewals never reach the database, so its short lease lapses on the database clock.
      const frozen = Object.assign(Object.create(store) as SqlStore, { extend: async () => true });
      const idem = new IdempotencyRunner({ store: frozen, lockTtl: 300, onLeaseLost: (lostKey) => lost.push(lostKey) });
      let takeover: Awaited<ReturnType<SqlStore['acquire']>> | undefined;
      const steal = async () => {
        await sleep(500);
        takeover = await store.acquire(k, '', { lockTtlMs: LOCK, ttlMs: 60_000, now: Date.now() });
      };
      const answer = idem.run(k, async (context) => {
        if (!suite.takeoverWhileOpen) await steal();
        await context.transaction((tx) => ledger.write(tx, k, 1));
        // The takeover does not wait on the open transaction: it never locked the record row.
        if (suite.takeoverWhileOpen) await steal();
        return 'stale owner';
      });
      await expect(answer).rejects.toBeInstanceOf(LeaseLostError);
      expect(takeover?.state).toBe('acquired');
      expect(await ledger.rows(k)).toBe(0);
      expect(lost).toEqual([k]);
      const record = await store.get(k);
      expect(record?.status).toBe('in_progress');
      if (takeover?.state === 'acquired')
        expect(await store.complete(k, takeover.token, new Uint8Array([1]), { ttlMs: 60_000, now: Date.now() })).toBe(true);
    });

    live(
      'renewals keep every lease while transactions stay open: no deadlock, no lease lost, one row each',
      async () => {
        const lost: string[] = [];
        // Renewed every 20 ms on the store's own connections while each transaction stays open 200 ms.
        const idem = runner({ lockTtl: 60, onLeaseLost: (lostKey) => lost.push(lostKey) });
        const keys = Array.from({ length: database.name === 'sqlite' ? 3 : 8 }, key);
        await Promise.all(
          keys.map((k) =>
            idem.run(k, async (context) => {
              await context.transaction((tx) => ledger.write(tx, k, 1));
              await sleep(200);
            }),
          ),
        );
        for (const k of keys) expect(await ledger.rows(k)).toBe(1);
        expect(lost).toEqual([]);
      },
      20_000,
    );

    if (suite.takeoverWhileOpen) {
      live('while the transaction is open the record row is free: a renewal and a read of it answer at once', async () => {
        const k = key();
        const acquired = await store.acquire(k, '', { lockTtlMs: LOCK, ttlMs: 60_000, now: Date.now() });
        if (acquired.state !== 'acquired') throw new Error('expected to acquire');
        const transaction = await store.beginTransaction();
        await ledger.write(transaction.handle, k, 1);
        expect(await store.extend(k, acquired.token, { lockTtlMs: LOCK, now: Date.now() })).toBe(true);
        expect((await store.get(k))?.status).toBe('in_progress');
        expect(await store.extend(k, acquired.token, { lockTtlMs: LOCK, now: Date.now() })).toBe(true);
        expect(await transaction.complete(k, acquired.token, new Uint8Array([7]), { ttlMs: 60_000, now: Date.now() })).toBe(true);
        // The renewal after the complete finds the record no longer in progress.
        expect(await store.extend(k, acquired.token, { lockTtlMs: LOCK, now: Date.now() })).toBe(false);
        expect(await ledger.rows(k)).toBe(1);
      });
    }

    live('idempotent() hands a function-expression handler the run’s context as `this`', async () => {
      const idem = runner();
      const pay = idem.idempotent(
        async function (this: RunContext, paymentId: string, amount: number) {
          return this.transaction(async (tx) => {
            await ledger.write(tx, paymentId, amount);
            return { paymentId, amount };
          });
        },
        { key: (paymentId) => paymentId },
      );
      const k = key();
      expect(await pay(k, 3)).toEqual({ paymentId: k, amount: 3 });
      expect(await pay(k, 3)).toEqual({ paymentId: k, amount: 3 });
      expect(await ledger.rows(k)).toBe(1);
    });

    live('transaction() after the result was recorded is refused: it could not commit with the record', async () => {
      let late: RunContext | undefined;
      await runner().run(key(), (context) => void (late = context));
      await expect(late!.transaction(async () => 1)).rejects.toBeInstanceOf(ConfigurationError);
    });

    if (suite.killConnection) {
      const kill = suite.killConnection;
      live(
        'the transaction’s connection killed before the commit: StorageError, nothing written, the key released for a retry at once',
        async () => {
          const k = key();
          const idem = runner();
          const answer = idem.run(k, async (context) => {
            await context.transaction(async (tx) => {
              await ledger.write(tx, k, 1);
              await kill(tx);
            });
            return 'never committed';
          });
          await expect(answer).rejects.toBeInstanceOf(StorageError);
          expect(await ledger.rows(k)).toBe(0);
          expect(await store.get(k)).toBeUndefined();
          await idem.run(k, (context) => context.transaction((tx) => ledger.write(tx, k, 1)));
          expect(await ledger.rows(k)).toBe(1);
        },
      );
    }
  });
}
