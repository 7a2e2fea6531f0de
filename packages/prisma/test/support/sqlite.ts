/** A throwaway SQLite file in WAL mode with the test tables, and clients for it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../generated/sqlite/client';
import { sqliteDdl } from './ddl';

export type SqlitePrisma = InstanceType<typeof PrismaClient>;
type DriverAdapter = NonNullable<ConstructorParameters<typeof PrismaClient>[0]>['adapter'];

export function createSqliteDatabase(): { file: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'idem-prisma-'));
  const file = join(dir, 'test.db');
  const db = new Database(file);
  // WAL lets readers and the single writer of several processes overlap, as a real deployment would.
  db.pragma('journal_mode = WAL');
  db.exec(sqliteDdl);
  db.close();
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function sqliteAdapter(file: string): PrismaBetterSqlite3 {
  // A busy timeout so concurrent writers from other processes wait for the lock instead of failing.
  return new PrismaBetterSqlite3({ url: `file:${file}`, timeout: 10_000 });
}

export function sqlitePrisma(file: string, adapter: DriverAdapter = sqliteAdapter(file)): SqlitePrisma {
  return new PrismaClient({ adapter });
}
