/** The shared HTTP scenario suite: Express 5 with idem's middleware, recording into Prisma on SQLite and PostgreSQL. */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import express from 'express';
import { idempotency } from '@idem/express';
import { httpScenarioSuite, listen, serviceAvailable, type ScenarioResponse, type ScenarioSetup } from '@idem/testkit';
import { PrismaStore } from '../src';
import { createSqliteDatabase, sqlitePrisma } from './support/sqlite';
import { createPostgresSchema, dropPostgresSchema, postgresPrisma, uniqueSchemaName } from './support/postgres';

function send(res: ServerResponse, response: ScenarioResponse): void {
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  res.end(Buffer.from(response.body));
}

async function createServer(setup: ScenarioSetup) {
  const app = express();
  app.use(idempotency(setup.options));
  app.use(express.raw({ type: () => true, limit: '10mb' }));
  app.use(async (req, res, next) => {
    try {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      send(res, await setup.handle({ method: req.method, url: req.originalUrl, headers: req.headers, body }));
    } catch (error) {
      next(error);
    }
  });
  return listen(app);
}

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
