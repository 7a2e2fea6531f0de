/** Removes what this run left on the shared services: its Redis keys, its PostgreSQL and MySQL tables, its SQLite file. */
import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { createConnection } from 'mysql2/promise';
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

export async function dropMysqlTable(table: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(table)) throw new Error(`refusing to drop ${table}`);
  const connection = await createConnection({ uri: serviceUrls.mysql });
  try {
    await connection.query(`DROP TABLE IF EXISTS \`${table}\``);
  } finally {
    await connection.end();
  }
}

export function removeSqliteFile(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
}
