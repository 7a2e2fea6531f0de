/**
 * Transactions on PrismaStore: an interactive `$transaction` client as the handler's handle, on SQLite
 * (a WAL file through the better-sqlite3 adapter) and PostgreSQL. The shared HTTP transaction suite runs
 * Express on each, on the caller's clock and on the database's (`clock: 'store'`: the fenced complete
 * inside the transaction is dated by it); a `ledger` table with no unique constraint shows any
 * duplicate or leftover effect.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import express from 'express';
import { ConfigurationError, IdempotencyRunner } from '@idem/core';
import { httpTransactionSuite, serviceAvailable, serviceUrls, type TestApi } from '@idem/testkit';
import { expressAdapter } from '../../express/test/adapters';
import { PrismaStore } from '../src';
import { createSqliteDatabase, sqlitePrisma } from './support/sqlite';
import { createPostgresSchema, dropPostgresSchema, postgresPrisma, uniqueSchemaName } from './support/postgres';

/** What `tx` is for a raw write: any Prisma client, the transaction client included. */
type RawClient = { $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number> };

const createServer = expressAdapter(express);
const freshPrefix = () => `tx-${randomUUID().slice(0, 8)}:`;

describe('PrismaStore transactions on SQLite', () => {
  const database = createSqliteDatabase();
  const setup = new Database(database.file);
  setup.exec('CREATE TABLE ledger (id INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL)');
  const prisma = sqlitePrisma(database.file);
  const rows = (entry: string) => (setup.prepare('SELECT COUNT(*) AS n FROM ledger WHERE entry = ?').get(entry) as { n: number }).n;
  const write = (tx: unknown, entry: string) =>
    (tx as RawClient).$executeRawUnsafe('INSERT INTO ledger (entry) VALUES (?)', entry).then(() => undefined);
  afterAll(async () => {
    await prisma.$disconnect();
    setup.close();
    database.remove();
  });

  for (const clock of ['caller', 'store'] as const) {
    httpTransactionSuite({ describe, it, beforeAll, afterAll }, `Express 5 + PrismaStore (SQLite, clock: ${clock})`, {
      createServer,
      createStore: () => new PrismaStore({ prisma, prefix: freshPrefix(), clock }),
      ledger: { write, rows: async (entry) => rows(entry) },
      singleWriter: true,
    });
  }

  it('the store’s own calls wait for an open transaction instead of running inside it (one connection)', async () => {
    const runner = new IdempotencyRunner({ store: new PrismaStore({ prisma, prefix: freshPrefix() }) });
    const entry = randomUUID();
    let other: Promise<string> | undefined;
    await expect(
      runner.run('rolled-back', async (context) => {
        await context.transaction((tx) => write(tx, entry));
        // Another key's run while this transaction is open: its acquire and complete must not join it.
        other = runner.run('other', async () => 'other result');
        await new Promise((resolve) => setTimeout(resolve, 100));
        throw new Error('declined');
      }),
    ).rejects.toThrow('declined');
    expect(await other).toBe('other result');
    expect(rows(entry)).toBe(0);
    expect(await runner.run('other', async () => 'ran again')).toBe('other result');
  });

  it('refuses a `connection` of the application’s: the transaction is on the store’s own client', async () => {
    const runner = new IdempotencyRunner({ store: new PrismaStore({ prisma, prefix: freshPrefix() }) });
    await expect(runner.run('connection', (context) => context.transaction(async () => 1, { connection: {} }))).rejects.toBeInstanceOf(
      ConfigurationError,
    );
  });
});

describe('PrismaStore transactions on PostgreSQL', () => {
  const schema = uniqueSchemaName();
  const prisma = postgresPrisma(schema);
  const reader = new Client({ connectionString: serviceUrls.postgres });
  const ledgerTable = `"${schema}"."ledger"`;
  let available = false;
  beforeAll(async () => {
    available = await serviceAvailable('PostgreSQL', () => createPostgresSchema(schema));
    if (!available) return;
    await reader.connect();
    await reader.query(`CREATE TABLE ${ledgerTable} (id serial PRIMARY KEY, entry text NOT NULL)`);
  });
  afterAll(async () => {
    await prisma.$disconnect();
    if (!available) return;
    await reader.end();
    await dropPostgresSchema(schema);
  });
  const gated: TestApi = {
    describe,
    it: (name, fn, timeout) => it(name, async () => (available ? fn?.() : undefined), timeout),
    beforeAll: (fn, timeout) => beforeAll(async () => (available ? fn?.() : undefined), timeout),
    afterAll: (fn, timeout) => afterAll(async () => (available ? fn?.() : undefined), timeout),
  };

  for (const clock of ['caller', 'store'] as const)
    httpTransactionSuite(gated, `Express 5 + PrismaStore (PostgreSQL, clock: ${clock})`, {
      createServer,
      createStore: () => new PrismaStore({ prisma, prefix: freshPrefix(), clock }),
      ledger: {
        write: (tx, entry) =>
          (tx as RawClient).$executeRawUnsafe(`INSERT INTO ${ledgerTable} (entry) VALUES ($1)`, entry).then(() => undefined),
        // An error inside a PostgreSQL transaction aborts it: the COMMIT that follows cannot succeed.
        poison: (tx) =>
          (tx as RawClient).$executeRawUnsafe('SELECT * FROM idem_no_such_table').then(
            () => undefined,
            () => undefined,
          ),
        rows: async (entry) => Number((await reader.query(`SELECT COUNT(*) AS n FROM ${ledgerTable} WHERE entry = $1`, [entry])).rows[0].n),
      },
    });

  gated.it('hands the handler Prisma’s transaction client, at the database’s READ COMMITTED', async () => {
    const runner = new IdempotencyRunner({ store: new PrismaStore({ prisma, prefix: freshPrefix() }) });
    const level = await runner.run('level', (context) =>
      context.transaction(async (tx: { $queryRawUnsafe(sql: string): Promise<Array<{ transaction_isolation: string }>> }) => {
        expect(tx).not.toBe(prisma);
        return (await tx.$queryRawUnsafe('SHOW transaction_isolation'))[0]!.transaction_isolation;
      }),
    );
    expect(level).toBe('read committed');
  });
});
