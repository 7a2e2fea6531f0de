import { ConfigurationError, IdempotencyRunner } from '@idem/core';
import Database from 'better-sqlite3';
import { sqliteDatabase } from './databases';
import { ownLedgerStore } from './ledger';
import { describeTransactions } from './transactions-behaviour';

// The open write transaction holds SQLite's only write lock: no takeover can happen while it is open.
describeTransactions(sqliteDatabase(), { takeoverWhileOpen: false });

describe('SQLite transactions: one connection, one writer', () => {
  const own = sqliteDatabase();
  const { ledger, store, live } = ownLedgerStore(own);

  live('the store’s other statements wait for the open transaction instead of joining it (and its rollback)', async () => {
    const transaction = await store.beginTransaction();
    expect(own.db.inTransaction).toBe(true);
    await ledger.write(transaction.handle, 'rolled-back', 1);
    let acquired = false;
    const other = store.acquire('other-request', '', { lockTtlMs: 5_000, ttlMs: 60_000, now: Date.now() }).then((result) => {
      acquired = true;
      return result;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(acquired).toBe(false);
    await transaction.rollback();
    expect((await other).state).toBe('acquired');
    expect(own.db.inTransaction).toBe(false);
    expect(await ledger.rows('rolled-back')).toBe(0);
    // The other request's record was written outside the rolled-back transaction: it stands.
    expect((await store.get('other-request'))?.status).toBe('in_progress');
  });

  live('two transactions in one process run one after the other, each committing its own write', async () => {
    const idem = new IdempotencyRunner({ store });
    await Promise.all(
      ['first', 'second'].map((key) =>
        idem.run(key, async (context) => {
          await context.transaction((tx: Database.Database) => ledger.write(tx, key, 1));
          await new Promise((resolve) => setTimeout(resolve, 30));
        }),
      ),
    );
    expect([await ledger.rows('first'), await ledger.rows('second')]).toEqual([1, 1]);
  });

  live('refuses another Database as `connection`: a second connection would wait on the first’s write lock', async () => {
    const second = new Database(own.file);
    try {
      await expect(
        new IdempotencyRunner({ store }).run('second-db', (context) => context.transaction(async () => 1, { connection: second })),
      ).rejects.toBeInstanceOf(ConfigurationError);
    } finally {
      second.close();
    }
  });
});
