/** The shared store contract on SQLite (a WAL file), through a generated client and the better-sqlite3 adapter. */
import { storeConformanceSuite } from '@idem/testkit';
import { PrismaStore } from '../src';
import { jestApi } from './support/jest-api';
import { createSqliteDatabase, sqlitePrisma } from './support/sqlite';

const database = createSqliteDatabase();
const prisma = sqlitePrisma(database.file);

storeConformanceSuite(jestApi, 'PrismaStore (SQLite)', {
  createStore: ({ prefix }) => new PrismaStore({ prisma, prefix }),
  teardown: async () => {
    await prisma.$disconnect();
    database.remove();
  },
});
