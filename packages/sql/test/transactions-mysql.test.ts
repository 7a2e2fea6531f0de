import { ConfigurationError, IdempotencyRunner } from '@idem/core';
import { serviceUrls } from '@idem/testkit';
import { createConnection, type PoolConnection } from 'mysql2/promise';
import { mysql, SqlStore } from '../src';
import { mysqlDatabase } from './databases';
import { ownLedgerStore } from './ledger';
import { describeTransactions } from './transactions-behaviour';

const database = mysqlDatabase();

describeTransactions(database, {
  takeoverWhileOpen: true,
  async killConnection(tx) {
    const [rows] = await (tx as PoolConnection).query('SELECT CONNECTION_ID() AS id');
    await database.pool.query(`KILL ${Number((rows as { id: number }[])[0]!.id)}`);
  },
});

describe('MySQL/MariaDB transactions: isolation and connections', () => {
  const own = mysqlDatabase();
  const { ledger, store, live } = ownLedgerStore(own);

  live('runs at READ COMMITTED on a pool connection of its own', async () => {
    const level = await new IdempotencyRunner({ store }).run('isolation', (context) =>
      context.transaction(async (tx: PoolConnection) => {
        await ledger.write(tx, 'isolation', 1);
        // INNODB_TRX is a cache refreshed at most every 100 ms: a stale copy can hide this transaction, or
        // still show an earlier one of this pooled connection (an autocommit statement at the default
        // REPEATABLE READ). Only a row whose running query is this very SELECT describes this
        // transaction: ask again until it shows.
        for (let attempt = 0; attempt < 20; attempt++) {
          const [rows] = await tx.query(
            "SELECT trx_isolation_level AS level FROM information_schema.innodb_trx WHERE trx_mysql_thread_id = CONNECTION_ID() AND trx_query LIKE '%trx_isolation_level%'",
          );
          const level = (rows as { level: string }[])[0]?.level;
          if (level !== undefined) return level;
          await new Promise((resolve) => setTimeout(resolve, 150));
        }
        return undefined;
      }),
    );
    expect(level).toBe('READ COMMITTED');
  });

  live('runs on the application’s own pool connection when given one, and leaves it checked out', async () => {
    const connection = await own.pool.getConnection();
    try {
      await new IdempotencyRunner({ store }).run('app-connection', (context) =>
        context.transaction(
          (tx: PoolConnection) => {
            expect(tx).toBe(connection);
            return ledger.write(tx, 'app-connection', 1);
          },
          { connection },
        ),
      );
      expect(await ledger.rows('app-connection')).toBe(1);
      expect((await connection.query('SELECT 1 AS one'))[0]).toEqual([{ one: 1 }]);
    } finally {
      connection.release();
    }
  });

  live('a store on a single connection refuses transactions (its renewals would run inside them)', async () => {
    const connection = await createConnection({ uri: serviceUrls.mysql });
    try {
      const single = new SqlStore({ dialect: mysql(connection), table: own.table, prefix: 'single:' });
      await expect(
        new IdempotencyRunner({ store: single }).run('single', (context) => context.transaction(async () => 1)),
      ).rejects.toBeInstanceOf(ConfigurationError);
      expect(await single.get('single')).toBeUndefined();
    } finally {
      await connection.end();
    }
  });
});
