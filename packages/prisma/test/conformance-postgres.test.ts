/** The shared store contract on PostgreSQL, in a schema of this run's own, through the pg adapter. */
import { serviceAvailable, serviceUrls, storeConformanceSuite } from '@idem/testkit';
import { PrismaStore } from '../src';
import { createPostgresSchema, dropPostgresSchema, postgresPrisma, uniqueSchemaName } from './support/postgres';

const schema = uniqueSchemaName();
const prisma = postgresPrisma(schema);
let created = false;

storeConformanceSuite({ describe, it, beforeAll, afterAll }, 'PrismaStore (PostgreSQL)', {
  createStore: ({ prefix }) => new PrismaStore({ prisma, prefix }),
  service: { name: 'PostgreSQL', url: serviceUrls.postgres },
  available: () =>
    serviceAvailable('PostgreSQL', async () => {
      await createPostgresSchema(schema);
      created = true;
    }),
  teardown: async () => {
    await prisma.$disconnect();
    if (created) await dropPostgresSchema(schema);
  },
});
