/**
 * The shared HTTP scenario suite, over real sockets, with the Express middleware on SqlStore: on
 * PostgreSQL and on a SQLite file. Each scenario group gets its own prefix in one run-unique table.
 */
import express from 'express';
import { idempotency } from '@idem/express';
import { httpScenarioSuite, listen, type ScenarioSetup, type TestApi } from '@idem/testkit';
import { SqlStore } from '../src';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from './databases';

async function expressServer(setup: ScenarioSetup) {
  const app = express();
  app.use(idempotency(setup.options));
  app.use(express.raw({ type: () => true, limit: '10mb' }));
  app.use(async (req: express.Request, res: express.Response, next: express.NextFunction) => {
    try {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const response = await setup.handle({ method: req.method, url: req.originalUrl, headers: req.headers, body });
      res.status(response.status);
      for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
      res.end(Buffer.from(response.body));
    } catch (error) {
      next(error);
    }
  });
  return listen(app);
}

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
  httpScenarioSuite(gatedApi(() => available), `Express 5 + SqlStore (${database.label})`, {
    createStore: () => new SqlStore({ dialect: database.dialect, table: database.table, prefix: `http-${++group}:` }),
    createServer: expressServer,
  });
}

httpSuiteOn(postgresDatabase());
httpSuiteOn(sqliteDatabase());
