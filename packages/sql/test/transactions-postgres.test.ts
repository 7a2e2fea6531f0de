import { ConfigurationError, IdempotencyRunner } from '@idem/core';
import { serviceUrls, terminateAfterAnswerUnread } from '@idem/testkit';
import { randomBytes } from 'node:crypto';
import { Client, Pool, type PoolClient } from 'pg';
import { postgres, SqlStore } from '../src';
import { postgresDatabase } from './databases';
import { ownLedgerStore } from './ledger';
import { describeTransactions } from './transactions-behaviour';

const database = postgresDatabase();

describeTransactions(database, {
  takeoverWhileOpen: true,
  async killConnection(tx) {
    const { rows } = await (tx as PoolClient).query('SELECT pg_backend_pid() AS pid');
    await database.pool.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
  },
});

describe('PostgreSQL transactions: isolation and connections', () => {
  const own = postgresDatabase();
  const { ledger, store, live } = ownLedgerStore(own);

  live('runs at READ COMMITTED on a connection of its own, not the one renewals use', async () => {
    const seen = await new IdempotencyRunner({ store }).run('isolation', (context) =>
      context.transaction(async (tx: PoolClient) => {
        const level = (await tx.query('SHOW transaction_isolation')).rows[0].transaction_isolation;
        const inTransaction = (await tx.query('SELECT now() = statement_timestamp() AS fresh')).rows[0].fresh;
        return { level, inTransaction };
      }),
    );
    // now() is the transaction's start, statement_timestamp() this statement's: unequal inside a transaction.
    expect(seen).toEqual({ level: 'read committed', inTransaction: false });
  });

  live('runs on the application’s own PoolClient when given one, and leaves it checked out', async () => {
    const client = await own.pool.connect();
    try {
      await new IdempotencyRunner({ store }).run('app-client', (context) =>
        context.transaction(
          (tx: PoolClient) => {
            expect(tx).toBe(client);
            return ledger.write(tx, 'app-client', 1);
          },
          { connection: client },
        ),
      );
      expect(await ledger.rows('app-client')).toBe(1);
      expect((await client.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    } finally {
      client.release();
    }
  });

  live(
    'a connection handed over with its backend’s FATAL already read behind the last answer fails the begin, not the process',
    async () => {
      const applicationName = `idem-handover-${randomBytes(4).toString('hex')}`;
      // One connection: the transaction waits for the statement's, and gets it the moment it answers.
      const pool = new Pool({ connectionString: serviceUrls.postgres, application_name: applicationName, max: 1 });
      pool.on('error', () => {});
      const handover = new SqlStore({ dialect: postgres(pool), table: own.table, prefix: 'handover:' });
      try {
        await pool.query('SELECT 1');
        const marker = `SELECT 1 AS answered_${randomBytes(4).toString('hex')}`;
        const answered = pool.query(marker);
        const opening = handover.beginTransaction().then(
          () => undefined,
          (error: unknown) => error,
        );
        await new Promise((resolve) => process.nextTick(resolve)); // the pool has sent the marker
        // Otherwise the hand-over would happen before the cut and prove nothing.
        expect({ waiting: pool.waitingCount, idle: pool.idleCount }).toEqual({ waiting: 1, idle: 0 });
        terminateAfterAnswerUnread({ url: serviceUrls.postgres, applicationName, marker, pgModule: require.resolve('pg') });
        // One chunk: the marker's answer hands the connection over, then the FATAL comes to whoever listens.
        expect((await answered).rows).toEqual([{ [marker.split(' AS ')[1]!]: 1 }]);
        expect(await opening).toHaveProperty('code', 'STORAGE_ERROR');
        // The pool replaces the dead connection.
        expect((await pool.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
      } finally {
        await pool.end();
      }
    },
  );

  live('a store on a single Client refuses transactions (its renewals would run inside them)', async () => {
    const client = new Client({ connectionString: serviceUrls.postgres });
    await client.connect();
    try {
      const single = new SqlStore({ dialect: postgres(client), table: own.table, prefix: 'single:' });
      await expect(
        new IdempotencyRunner({ store: single }).run('single', (context) => context.transaction(async () => 1)),
      ).rejects.toBeInstanceOf(ConfigurationError);
      expect(await single.get('single')).toBeUndefined();
    } finally {
      await client.end();
    }
  });
});
