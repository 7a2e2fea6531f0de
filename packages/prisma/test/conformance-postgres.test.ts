/**
 * The shared store contract on PostgreSQL, in a schema of this run's own, through the pg adapter: on
 * the caller's clock (the default), and on the database's (`clock: 'store'`), where the suite runs its
 * time rules in real time and two stores whose callers' clocks differ by 10× lockTtl must agree on the lease.
 */
import { serviceAvailable, serviceUrls, storeConformanceSuite } from '@idem/testkit';
import { PrismaStore } from '../src';
import { createPostgresSchema, dropPostgresSchema, postgresPrisma, uniqueSchemaName } from './support/postgres';

const schema = uniqueSchemaName();
const prisma = postgresPrisma(schema);
let created = false;

const service = { name: 'PostgreSQL', url: serviceUrls.postgres };
// The schema is created once, by whichever suite asks first.
let creating: Promise<boolean> | undefined;
const available = () =>
  (creating ??= serviceAvailable('PostgreSQL', async () => {
    await createPostgresSchema(schema);
    created = true;
  }));

storeConformanceSuite({ describe, it, beforeAll, afterAll }, 'PrismaStore (PostgreSQL)', {
  createStore: ({ prefix }) => new PrismaStore({ prisma, prefix }),
  service,
  available,
});

storeConformanceSuite({ describe, it, beforeAll, afterAll }, "PrismaStore (PostgreSQL, clock: 'store')", {
  createStore: ({ prefix }) => new PrismaStore({ prisma, prefix, clock: 'store' }),
  service,
  available,
  teardown: async () => {
    await prisma.$disconnect();
    if (created) await dropPostgresSchema(schema);
  },
});
