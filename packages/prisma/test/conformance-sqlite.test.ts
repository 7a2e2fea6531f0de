/** The shared store contract on SQLite (a WAL file), through a generated client and the better-sqlite3 adapter. */
import { storeConformanceSuite } from '@idem/testkit';
import { PrismaStore } from '../src';
import { createSqliteDatabase, sqlitePrisma } from './support/sqlite';

const database = createSqliteDatabase();
const prisma = sqlitePrisma(database.file);

storeConformanceSuite({ describe, it, beforeAll, afterAll }, 'PrismaStore (SQLite)', {
  createStore: ({ prefix }) => new PrismaStore({ prisma, prefix }),
  teardown: async () => {
    await prisma.$disconnect();
    database.remove();
  },
});
