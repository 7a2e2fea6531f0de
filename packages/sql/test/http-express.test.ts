/**
 * The shared HTTP scenario suite, over real sockets, with the Express middleware on SqlStore: on
 * PostgreSQL and on a SQLite file. Each scenario group gets its own prefix in one run-unique table.
 */
import express from 'express';
import { expressAdapter } from '../../express/test/adapters';
import { httpScenarioSuite, type TestApi } from '@idem/testkit';
import { SqlStore } from '../src';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from './databases';

/** Express 5 with the middleware first and a body parser after it, as @idem/express tests it. */
const expressServer = expressAdapter(express);

/** jest's functions, doing nothing when the database is missing (its probe already said so loudly). */
function gatedApi(isAvailable: () => boolean): TestApi {
  return {
    describe,
    it: (name, fn, timeout) => it(name, async () => (isAvailable() ? fn?.() : undefined), timeout),
    beforeAll: (fn, timeout) => beforeAll(async () => (isAvailable() ? fn?.() : undefined), timeout),
    afterAll: (fn, timeout) => afterAll(async () => (isAvailable() ? fn?.() : undefined), timeout),
  };
}

function httpSuiteOn(database: TestDatabase): void {
  let available = false;
  let group = 0;
  beforeAll(async () => {
    available = await database.available();
    if (available) await new SqlStore({ dialect: database.dialect, table: database.table }).migrate();
  });
  afterAll(() => database.dispose());
  httpScenarioSuite(
    gatedApi(() => available),
    `Express 5 + SqlStore (${database.label})`,
    {
      createStore: () => new SqlStore({ dialect: database.dialect, table: database.table, prefix: `http-${++group}:` }),
      createServer: expressServer,
    },
  );
}

httpSuiteOn(postgresDatabase());
httpSuiteOn(sqliteDatabase());
