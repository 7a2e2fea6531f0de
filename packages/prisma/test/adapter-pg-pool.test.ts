/**
 * The README's pool for `@prisma/adapter-pg`: a `pg` Pool whose connections each have an 'error' listener
 * from the moment they open. The adapter listens on a transaction's connection only once
 * `await pool.connect()` resumed, a microtask after pg-pool stopped listening; a FATAL read in the same
 * chunk as the previous statement's answer is emitted in between. With the README's listener the
 * transaction fails (StorageError, a 503 for the middlewares) and the process lives on; without it the
 * process dies of an uncaught exception (this test then fails).
 */
import { randomBytes } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { serviceAvailable, serviceUrls, terminateAfterAnswerUnread } from '@idem/testkit';
import { PrismaStore } from '../src';
import { createPostgresSchema, dropPostgresSchema, postgresPrisma, uniqueSchemaName } from './support/postgres';

const schema = uniqueSchemaName();
const applicationName = `idem-prisma-pool-${randomBytes(4).toString('hex')}`;
// One connection: the transaction waits for the statement's, and gets it the moment that one is answered.
const pool = new Pool({ connectionString: serviceUrls.postgres, application_name: applicationName, max: 1 });
const lost: string[] = [];
pool.on('connect', (client) => client.on('error', (error) => lost.push(error.message)));
const prisma = postgresPrisma(schema, new PrismaPg(pool, { schema, disposeExternalPool: true }));

let available = false;
beforeAll(async () => {
  available = await serviceAvailable('PostgreSQL', () => createPostgresSchema(schema));
});
afterAll(async () => {
  await prisma.$disconnect();
  if (available) await dropPostgresSchema(schema);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('a transaction’s connection handed over with its backend’s FATAL already read fails the transaction, not the process', async () => {
  if (!available) return;
  const store = new PrismaStore({ prisma, prefix: 'pool:' });
  await prisma.$queryRawUnsafe('SELECT 1');
  // Long enough for the transaction to queue for the connection while the marker still holds it.
  const marker = `SELECT pg_sleep(1)::text AS answered_${randomBytes(4).toString('hex')}`;
  const acquired = new Promise((resolve) => pool.once('acquire', resolve));
  // A Prisma query is lazy: `then` sends it.
  const answered = prisma.$queryRawUnsafe(marker).then((rows) => rows);
  await acquired;
  const opening = store.beginTransaction().then(
    () => undefined,
    (error: unknown) => error,
  );
  for (let i = 0; i < 400 && pool.waitingCount === 0; i++) await sleep(2);
  // Otherwise the hand-over would happen before the cut and prove nothing.
  expect({ waiting: pool.waitingCount, idle: pool.idleCount }).toEqual({ waiting: 1, idle: 0 });

  terminateAfterAnswerUnread({ url: serviceUrls.postgres, applicationName, marker, pgModule: require.resolve('pg') });

  await answered;
  expect(await opening).toHaveProperty('code', 'STORAGE_ERROR');
  expect(lost).toEqual(['terminating connection due to administrator command']);
  // The pool opens a new connection: the client serves again.
  expect(await prisma.$queryRawUnsafe('SELECT 2 AS two')).toEqual([{ two: 2 }]);
}, 30_000);
