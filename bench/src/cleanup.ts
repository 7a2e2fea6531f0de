/** Removes what this run left on the shared services: its Redis keys, its PostgreSQL table, its SQLite file. */
import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { serviceUrls } from './settings';

export async function removeRedisKeys(tag: string): Promise<number> {
  const client = new Redis(serviceUrls.redis);
  let removed = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `*${tag}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) removed += await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
  return removed;
}

export async function dropPgTable(table: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(table)) throw new Error(`refusing to drop ${table}`);
  const client = new pg.Client({ connectionString: serviceUrls.postgres });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS "${table}"`);
  } finally {
    await client.end();
  }
}

export function removeSqliteFile(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
}
