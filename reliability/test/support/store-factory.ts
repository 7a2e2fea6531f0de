/**
 * Builds the store an app process runs on, from a plain JSON description (so the parent can hand it to
 * a child process). Each backend gets its own connection, opened the way the package READMEs say.
 */
import Database from 'better-sqlite3';
import { createPool } from 'mysql2/promise';
import { Pool } from 'pg';
import type { IdempotencyStore } from '@idem/core';
import { MemoryStore } from '@idem/memory';
import { RedisStore } from '@idem/redis';
import { PrismaStore } from '@idem/prisma';
import { mysql, postgres, sqlite, SqlStore } from '@idem/sql';

export type StoreKind = 'memory' | 'redis' | 'postgres' | 'mysql' | 'sqlite' | 'prisma-postgres' | 'prisma-sqlite';

export interface StoreConfig {
  kind: StoreKind;
  prefix: string;
  /** Redis, PostgreSQL or MySQL URL. */
  url?: string;
  /** SQL table (created by the parent beforehand). */
  table?: string;
  /** PostgreSQL schema the Prisma client works in (created by the parent, with its tables). */
  schema?: string;
  /** SQLite database file. */
  file?: string;
  /** PostgreSQL `application_name`, so a fault test can terminate exactly this app's connections. */
  applicationName?: string;
  /** Prisma only: `clock: 'store'` dates leases on the database's clock (the default is the caller's). */
  clock?: 'store';
}

export interface BuiltStore {
  store: IdempotencyStore;
  /** Facts the parent needs about the live connections (MySQL thread ids, to KILL only ours). */
  describe(): Record<string, unknown>;
}

/**
 * `maxWait` bounds the wait for a connection to open the handler's transaction. A process here takes
 * some 60 concurrent duplicates on 8 connections; on a loaded 2-core machine the owner's transaction
 * waited past the default 5 s behind its duplicates' acquires (a 503 instead of its 201). 20 s leaves
 * room while staying well under the tests' timeouts.
 */
const PRISMA_TRANSACTION_OPTIONS = { maxWait: 20_000 };

export async function createStore(config: StoreConfig, record: (event: Record<string, unknown>) => void): Promise<BuiltStore> {
  switch (config.kind) {
    case 'memory':
      return { store: new MemoryStore({ prefix: config.prefix }), describe: () => ({}) };
    case 'redis':
      return { store: new RedisStore({ url: config.url!, prefix: config.prefix }), describe: () => ({}) };
    case 'postgres': {
      const pool = new Pool({ connectionString: config.url, application_name: config.applicationName, max: 8 });
      // A terminated idle connection is reported here; without a listener the process would crash.
      pool.on('error', (error) => record({ type: 'pool-error', reason: error.message }));
      const store = new SqlStore({ dialect: postgres(pool), table: config.table, prefix: config.prefix });
      return { store, describe: () => ({}) };
    }
    case 'mysql': {
      const pool = createPool({ uri: config.url!, connectionLimit: 8 });
      const threads = new Set<number>();
      pool.on('connection', (connection) => {
        const threadId =
          (connection as unknown as { threadId?: number; connection?: { threadId?: number } }).threadId ??
          (connection as unknown as { connection?: { threadId?: number } }).connection?.threadId;
        if (typeof threadId === 'number') threads.add(threadId);
      });
      const store = new SqlStore({ dialect: mysql(pool), table: config.table, prefix: config.prefix });
      return { store, describe: () => ({ mysqlThreads: [...threads] }) };
    }
    case 'sqlite': {
      const db = new Database(config.file!);
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      const store = new SqlStore({ dialect: sqlite(db), table: config.table, prefix: config.prefix });
      return { store, describe: () => ({}) };
    }
    case 'prisma-postgres': {
      const { postgresPrisma } = await import('./prisma-clients');
      const prisma = postgresPrisma({ url: config.url!, schema: config.schema!, applicationName: config.applicationName }, record);
      return {
        store: new PrismaStore({
          prisma,
          prefix: config.prefix,
          transactionOptions: PRISMA_TRANSACTION_OPTIONS,
          ...(config.clock ? { clock: config.clock } : {}),
        }),
        describe: () => ({}),
      };
    }
    case 'prisma-sqlite': {
      const { sqlitePrisma } = await import('./prisma-clients');
      return {
        store: new PrismaStore({
          prisma: sqlitePrisma(config.file!),
          prefix: config.prefix,
          transactionOptions: PRISMA_TRANSACTION_OPTIONS,
          ...(config.clock ? { clock: config.clock } : {}),
        }),
        describe: () => ({}),
      };
    }
  }
}
