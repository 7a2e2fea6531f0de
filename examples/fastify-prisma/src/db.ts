/**
 * The app's PrismaClient on PostgreSQL (driver adapter: no engine binary), in one schema of the
 * database. In a real project `prisma migrate dev` creates the tables from prisma/schema.prisma; the
 * example creates them with the same SQL on start so it runs with nothing but PostgreSQL.
 */
import { Client, Pool } from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';

const tables = (schema: string) => `
CREATE SCHEMA IF NOT EXISTS "${schema}";
CREATE TABLE IF NOT EXISTS "${schema}"."ledger" (
  "id" SERIAL NOT NULL PRIMARY KEY,
  "amount" INTEGER NOT NULL,
  "booked_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS "${schema}"."idempotency_records" (
  "key" TEXT NOT NULL PRIMARY KEY,
  "fingerprint" TEXT NOT NULL,
  "status" TEXT NOT NULL,
  "response" BYTEA,
  "token" TEXT,
  "created_at" BIGINT NOT NULL,
  "expires_at" BIGINT NOT NULL,
  "lock_expires_at" BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS "idempotency_records_expires_at_idx" ON "${schema}"."idempotency_records"("expires_at");
`;

export type AppPrisma = InstanceType<typeof PrismaClient>;

/** `schema` is the app's own configuration (letters, digits, underscores), never request input. */
export async function openDatabase(url: string, schema = 'public'): Promise<AppPrisma> {
  const setup = new Client({ connectionString: url });
  await setup.connect();
  try {
    await setup.query(tables(schema));
  } finally {
    await setup.end();
  }
  const pool = new Pool({ connectionString: url });
  // Heard from the moment each connection opens: the adapter listens only once a transaction has its
  // connection, and a backend dropped just then would otherwise end the process (see @idem/prisma's README).
  pool.on('connect', (client) => client.on('error', (error) => console.warn('PostgreSQL connection lost:', error.message)));
  return new PrismaClient({ adapter: new PrismaPg(pool, { schema, disposeExternalPool: true }) });
}
