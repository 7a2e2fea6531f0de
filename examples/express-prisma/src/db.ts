/**
 * The app's PrismaClient on a SQLite file (driver adapter: no engine binary). In a real project
 * `prisma migrate dev` creates the tables from prisma/schema.prisma; the example creates them with the
 * same SQL on start so it runs with nothing else installed.
 */
import Database from 'better-sqlite3';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from './generated/prisma/client';

const TABLES = `
CREATE TABLE IF NOT EXISTS "orders" (
  "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  "product" TEXT NOT NULL,
  "quantity" INTEGER NOT NULL,
  "created_at" BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS "idempotency_records" (
  "key" TEXT NOT NULL PRIMARY KEY,
  "fingerprint" TEXT NOT NULL,
  "status" TEXT NOT NULL,
  "response" BLOB,
  "token" TEXT,
  "created_at" BIGINT NOT NULL,
  "expires_at" BIGINT NOT NULL,
  "lock_expires_at" BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS "idempotency_records_expires_at_idx" ON "idempotency_records"("expires_at");
`;

export type AppPrisma = InstanceType<typeof PrismaClient>;

export function openDatabase(file: string): AppPrisma {
  const db = new Database(file);
  db.pragma('journal_mode = WAL'); // readers never block the writer
  db.exec(TABLES);
  db.close();
  // `timeout`: several processes on one file wait for each other's writes instead of failing.
  return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}`, timeout: 5_000 }) });
}
