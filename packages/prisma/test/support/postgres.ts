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

/** `connectionTimeoutMillis` also bounds the wait for a free pool connection under load. */
export function postgresAdapter(schema: string, { url = serviceUrls.postgres, connectionTimeoutMillis = 3_000 } = {}): PrismaPg {
  return new PrismaPg({ connectionString: url, connectionTimeoutMillis }, { schema });
}

export function postgresPrisma(schema: string, adapter: DriverAdapter = postgresAdapter(schema)): PostgresPrisma {
  return new PrismaClient({ adapter });
}
