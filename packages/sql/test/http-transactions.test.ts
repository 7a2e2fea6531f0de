/**
 * The shared HTTP transaction suite on every middleware, over real sockets, with SqlStore on one real
 * PostgreSQL: the handler writes a `ledger` row (no unique constraint) through the request's
 * transaction. Each middleware's own test adapter mounts it; each group gets its own prefix. Express
 * also runs it on MariaDB/MySQL and on a SQLite file, SQLite's one-writer rule included.
 */
import type { PoolClient } from 'pg';
import express from 'express';
import { httpTransactionSuite, type ScenarioServer, type ScenarioSetup, type TestApi, type TransactionLedger } from '@idem/testkit';
import { expressAdapter, nodeHttpAdapter } from '../../express/test/adapters';
import { fastifyAdapter } from '../../fastify/test/adapter';
import { koaAdapter } from '../../koa/test/adapter';
import { honoNodeAdapter } from '../../hono/test/adapter';
import { fetchAdapter } from '../../fetch/test/adapter';
import { nestExpressAdapter, nestFastifyAdapter } from '../../nestjs/test/adapters';
import { SqlStore } from '../src';
import { mysqlDatabase, postgresDatabase, sqliteDatabase } from './databases';
import { ledgerOn } from './ledger';

const database = postgresDatabase();
const ledgerTable = ledgerOn(database);
let available = false;
let group = 0;

beforeAll(async () => {
  available = await database.available();
  if (!available) return;
  await new SqlStore({ dialect: database.dialect, table: database.table }).migrate();
  await ledgerTable.create();
});
afterAll(async () => {
  if (available) await ledgerTable.drop();
  await database.dispose();
});

const ledger: TransactionLedger = {
  write: (tx, entry) => ledgerTable.write(tx, entry, 1),
  // An error inside a PostgreSQL transaction aborts it: the COMMIT that follows cannot succeed.
  poison: async (tx) => void (await (tx as PoolClient).query('SELECT * FROM idem_no_such_table').catch(() => undefined)),
  rows: (entry) => ledgerTable.rows(entry),
};

/** jest's functions, doing nothing when PostgreSQL is missing (its probe already said so loudly). */
const gated: TestApi = {
  describe,
  it: (name, fn, timeout) => it(name, async () => (available ? fn?.() : undefined), timeout),
  beforeAll: (fn, timeout) => beforeAll(async () => (available ? fn?.() : undefined), timeout),
  afterAll: (fn, timeout) => afterAll(async () => (available ? fn?.() : undefined), timeout),
};

const middlewares: Array<[string, (setup: ScenarioSetup) => Promise<ScenarioServer>]> = [
  ['Express 5', expressAdapter(express)],
  ['node:http', nodeHttpAdapter],
  ['Fastify', fastifyAdapter],
  ['Koa', koaAdapter],
  ['Hono', honoNodeAdapter],
  ['fetch', fetchAdapter],
  ['Nest (Express)', nestExpressAdapter],
  ['Nest (Fastify)', nestFastifyAdapter],
];

for (const [name, createServer] of middlewares) {
  httpTransactionSuite(gated, `${name} + SqlStore (PostgreSQL)`, {
    createStore: () => new SqlStore({ dialect: database.dialect, table: database.table, prefix: `tx-http-${++group}:` }),
    createServer,
    ledger,
  });
}

describe('on SQLite', () => {
  const file = sqliteDatabase();
  const fileLedger = ledgerOn(file);
  beforeAll(async () => {
    await new SqlStore({ dialect: file.dialect, table: file.table }).migrate();
    await fileLedger.create();
  });
  afterAll(() => file.dispose());
  httpTransactionSuite({ describe, it, beforeAll, afterAll }, 'Express 5 + SqlStore (SQLite file)', {
    createStore: () => new SqlStore({ dialect: file.dialect, table: file.table, prefix: `tx-http-${++group}:` }),
    createServer: expressAdapter(express),
    ledger: { write: (tx, entry) => fileLedger.write(tx, entry, 1), rows: (entry) => fileLedger.rows(entry) },
    singleWriter: true,
  });
});

describe('on MariaDB/MySQL', () => {
  const maria = mysqlDatabase();
  const mariaLedger = ledgerOn(maria);
  let up = false;
  beforeAll(async () => {
    up = await maria.available();
    if (!up) return;
    await new SqlStore({ dialect: maria.dialect, table: maria.table }).migrate();
    await mariaLedger.create();
  });
  afterAll(async () => {
    if (up) await mariaLedger.drop();
    await maria.dispose();
  });
  const gatedMaria: TestApi = {
    describe,
    it: (name, fn, timeout) => it(name, async () => (up ? fn?.() : undefined), timeout),
    beforeAll: (fn, timeout) => beforeAll(async () => (up ? fn?.() : undefined), timeout),
    afterAll: (fn, timeout) => afterAll(async () => (up ? fn?.() : undefined), timeout),
  };
  // No `poison`: a failed statement does not doom a MySQL transaction.
  httpTransactionSuite(gatedMaria, 'Express 5 + SqlStore (MariaDB/MySQL)', {
    createStore: () => new SqlStore({ dialect: maria.dialect, table: maria.table, prefix: `tx-http-${++group}:` }),
    createServer: expressAdapter(express),
    ledger: { write: (tx, entry) => mariaLedger.write(tx, entry, 1), rows: (entry) => mariaLedger.rows(entry) },
  });
});
