/** A schema of its own per test run on the shared PostgreSQL (created, then dropped), and clients for it. */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { serviceUrls } from '@idem/testkit';
import { PrismaClient } from '../generated/postgresql/client';
import { postgresDdl } from './ddl';

export type PostgresPrisma = InstanceType<typeof PrismaClient>;
type DriverAdapter = NonNullable<ConstructorParameters<typeof PrismaClient>[0]>['adapter'];

export function uniqueSchemaName(): string {
  return `idem_prisma_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

async function withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serviceUrls.postgres, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export const createPostgresSchema = (schema: string) => withClient((client) => client.query(postgresDdl(schema)));
export const dropPostgresSchema = (schema: string) => withClient((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));

/**
 * `connectionTimeoutMillis` also bounds the wait for a free pool connection. The contract's 200 concurrent
 * acquires queue on the pool's 10 connections, and on a loaded 2-core machine the last of them waited
 * past 3 s (a StorageError, not a second acquire): 15 s leaves room while staying under the test timeout.
 * An unreachable server is tested with its own short timeout (errors.test.ts).
 */
export function postgresAdapter(schema: string, { url = serviceUrls.postgres, connectionTimeoutMillis = 15_000 } = {}): PrismaPg {
  return new PrismaPg({ connectionString: url, connectionTimeoutMillis }, { schema });
}

export function postgresPrisma(schema: string, adapter: DriverAdapter = postgresAdapter(schema)): PostgresPrisma {
  return new PrismaClient({ adapter });
}
