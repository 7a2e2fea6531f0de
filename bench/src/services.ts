/**
 * Which shared services answer. A missing one skips the variants that need it with a loud message,
 * unless `CI` or `IDEM_REQUIRE_SERVICES` is set: then the run fails instead of silently shrinking.
 */
import { Redis } from 'ioredis';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';
import { serviceUrls } from './settings';
import type { Service } from './variants';

export async function availableServices(): Promise<Record<Service, boolean>> {
  return {
    redis: await probe('Redis', serviceUrls.redis, async () => {
      const client = new Redis(serviceUrls.redis, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        connectTimeout: 2000,
        retryStrategy: () => null,
      });
      try {
        await client.connect();
        await client.ping();
      } finally {
        client.disconnect();
      }
    }),
    postgres: await probe('PostgreSQL', serviceUrls.postgres, async () => {
      const client = new pg.Client({ connectionString: serviceUrls.postgres, connectionTimeoutMillis: 2000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
      } finally {
        await client.end().catch(() => {});
      }
    }),
    mysql: await probe('MySQL / MariaDB', serviceUrls.mysql, async () => {
      const connection = await createConnection({ uri: serviceUrls.mysql, connectTimeout: 2000 });
      try {
        await connection.query('SELECT 1');
      } finally {
        await connection.end().catch(() => {});
      }
    }),
  };
}

async function probe(name: string, url: string, check: () => Promise<void>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch (error) {
    const reason = `${name} at ${url} is not reachable (${(error as Error)?.message ?? error})`;
    if (process.env.CI || process.env.IDEM_REQUIRE_SERVICES)
      throw new Error(`${reason}; CI / IDEM_REQUIRE_SERVICES requires it`, { cause: error });
    console.warn(`\n  SKIPPED: ${reason}: its variants are left out of this run.\n`);
    return false;
  }
}
