/** The shared HTTP scenario suite: Express 5 with idem's middleware, recording into Prisma on SQLite and PostgreSQL. */
import { randomUUID } from 'node:crypto';
import express from 'express';
import { expressAdapter } from '../../express/test/adapters';
import { httpScenarioSuite, serviceAvailable } from '@idem/testkit';
import { PrismaStore } from '../src';
import { createSqliteDatabase, sqlitePrisma } from './support/sqlite';
import { createPostgresSchema, dropPostgresSchema, postgresPrisma, uniqueSchemaName } from './support/postgres';

/** Express 5 with the middleware first and a body parser after it, as @idem/express tests it. */
const createServer = expressAdapter(express);

const freshPrefix = () => `http-${randomUUID().slice(0, 8)}:`;

const database = createSqliteDatabase();
const sqlite = sqlitePrisma(database.file);
afterAll(async () => {
  await sqlite.$disconnect();
  database.remove();
});
httpScenarioSuite({ describe, it, beforeAll, afterAll }, 'Express 5 + PrismaStore (SQLite)', {
  createServer,
  createStore: () => new PrismaStore({ prisma: sqlite, prefix: freshPrefix() }),
});

// PostgreSQL: the suite builds its stores in beforeAll hooks, after this schema exists.
const schema = uniqueSchemaName();
const postgres = postgresPrisma(schema);
let postgresReady: Promise<boolean>;
beforeAll(() => {
  postgresReady = serviceAvailable('PostgreSQL', () => createPostgresSchema(schema));
  return postgresReady.then(() => undefined);
});
afterAll(async () => {
  await postgres.$disconnect();
  if (await postgresReady) await dropPostgresSchema(schema);
});
httpScenarioSuite({ describe, it, beforeAll, afterAll }, 'Express 5 + PrismaStore (PostgreSQL)', {
  createServer,
  createStore: async () => {
    if (!(await postgresReady)) throw new Error('PostgreSQL is not reachable');
    return new PrismaStore({ prisma: postgres, prefix: freshPrefix() });
  },
});
