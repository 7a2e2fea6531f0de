/**
 * The shared store contract on SQLite (a WAL file), through a generated client and the better-sqlite3
 * adapter: on the caller's clock (the default), and on the database's (`clock: 'store'`), where the
 * suite runs its time rules in real time and two stores whose callers' clocks differ by 10× lockTtl
 * must agree on the lease.
 */
import { storeConformanceSuite } from '@idem/testkit';
import { PrismaStore } from '../src';
import { createSqliteDatabase, sqlitePrisma } from './support/sqlite';

const database = createSqliteDatabase();
const prisma = sqlitePrisma(database.file);

storeConformanceSuite({ describe, it, beforeAll, afterAll }, 'PrismaStore (SQLite)', {
  createStore: ({ prefix }) => new PrismaStore({ prisma, prefix }),
});

storeConformanceSuite({ describe, it, beforeAll, afterAll }, "PrismaStore (SQLite, clock: 'store')", {
  createStore: ({ prefix }) => new PrismaStore({ prisma, prefix, clock: 'store' }),
  teardown: async () => {
    await prisma.$disconnect();
    database.remove();
  },
});
