/**
 * The statements each request costs, counted at the driver adapter (every SQL statement the database
 * receives, refused ones included). The README's numbers come from here. On `clock: 'store'` the same:
 * the database's clock is read once per process (and again every 30 s), never per request.
 */
import { randomUUID } from 'node:crypto';
import { IdempotencyRunner } from '@idem/core';
import { serviceAvailable } from '@idem/testkit';
import type { StoreClock } from '@idem/core';
import { PrismaStore } from '../src';
import { countStatements, type StatementLog } from './support/counting-adapter';
import { createSqliteDatabase, sqliteAdapter, sqlitePrisma } from './support/sqlite';
import { createPostgresSchema, dropPostgresSchema, postgresAdapter, postgresPrisma, uniqueSchemaName } from './support/postgres';

interface Backend {
  store: PrismaStore;
  log: StatementLog;
  done: () => Promise<void>;
}

const backends: Record<string, (clock: StoreClock) => Promise<Backend | undefined>> = {
  SQLite: async (clock) => {
    const database = createSqliteDatabase();
    const { adapter, log } = countStatements(sqliteAdapter(database.file));
    const prisma = sqlitePrisma(database.file, adapter);
    return {
      store: new PrismaStore({ prisma, clock }),
      log,
      done: async () => {
        await prisma.$disconnect();
        database.remove();
      },
    };
  },
  PostgreSQL: async (clock) => {
    const schema = uniqueSchemaName();
    if (!(await serviceAvailable('PostgreSQL', () => createPostgresSchema(schema)))) return undefined;
    const { adapter, log } = countStatements(postgresAdapter(schema));
    const prisma = postgresPrisma(schema, adapter);
    return {
      store: new PrismaStore({ prisma, clock }),
      log,
      done: async () => {
        await prisma.$disconnect();
        await dropPostgresSchema(schema);
      },
    };
  },
};

const cases = Object.keys(backends).flatMap((name) => (['caller', 'store'] as const).map((clock) => [name, clock] as const));

describe.each(cases)('statements per request on %s, clock: %s', (name, clock) => {
  let backend: Backend | undefined;
  let runner: IdempotencyRunner;
  beforeAll(async () => {
    backend = await backends[name]!(clock);
    if (backend) runner = new IdempotencyRunner({ store: backend.store });
    // Warm-up: the first query of a client also connects, and on the store's clock the first decision
    // reads the clock (a refused renewal decides, on it); keep both out of the counts.
    await backend?.store.extend('warm-up', 'no-such-token', { lockTtlMs: 1_000, now: Date.now() });
  });
  afterAll(async () => backend?.done());

  const measure = async (work: () => Promise<unknown>) => {
    backend!.log.reset();
    await work();
    return { statements: [...backend!.log.statements], transactions: backend!.log.transactions };
  };

  it('a first execution costs 2 statements (INSERT, UPDATE) and no transaction', async () => {
    if (!backend) return;
    const first = await measure(() => runner.run(`k-${randomUUID()}`, () => 'charged'));
    expect(first.statements.map(verb)).toEqual(['INSERT', 'UPDATE']);
    expect(first.transactions).toBe(0);
  });

  it('a replay costs 2 statements (INSERT refused, SELECT) and no transaction', async () => {
    if (!backend) return;
    const key = `k-${randomUUID()}`;
    await runner.run(key, () => 'charged');
    const replay = await measure(() => runner.run(key, () => 'charged again'));
    expect(replay.statements.map(verb)).toEqual(['INSERT', 'SELECT']);
    expect(replay.transactions).toBe(0);
  });

  it('taking over an abandoned lease costs 3 statements (INSERT refused, SELECT, UPDATE that wins)', async () => {
    if (!backend) return;
    const key = `k-${randomUUID()}`;
    const now = Date.now();
    await backend.store.acquire(key, 'fp', { lockTtlMs: 200, ttlMs: 60_000, now });
    // On the store's clock the lease must really run out; on the caller's, a later `now` is enough.
    if (clock === 'store') await new Promise((resolve) => setTimeout(resolve, 300));
    const takeover = await measure(() => backend!.store.acquire(key, 'fp', { lockTtlMs: 1_000, ttlMs: 60_000, now: now + 1_001 }));
    expect(takeover.statements.map(verb)).toEqual(['INSERT', 'SELECT', 'UPDATE']);
  });
});

function verb(sql: string): string {
  return sql.trim().split(/\s+/)[0]!.toUpperCase();
}
