/**
 * The stores the proofs run on, seen from the test process: whether the server is there, a unique
 * namespace (prefix, table, file) for this run, a store on it, every raw byte held for a run's records
 * (to prove what is NOT stored), and cleanup. A missing server skips loudly, or fails under CI.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { createPool } from 'mysql2/promise';
import { Pool } from 'pg';
import type { IdempotencyStore } from '@idem/core';
import { MemoryStore } from '@idem/memory';
import { RedisStore } from '@idem/redis';
import { mysql, postgres, sqlite, SqlStore } from '@idem/sql';
import { serviceAvailable, serviceUrls } from '@idem/testkit';
import type { StoreConfig, StoreKind } from './store-factory';

/** What app processes run on: a store they build from `config`, the server under it, its cleanup. */
export interface ProcessBackend {
  kind: StoreKind;
  label: string;
  /** Shared by app processes: false for the in-process memory store. */
  crossProcess: boolean;
  /** The description an app process builds its own store from. */
  config: StoreConfig;
  available(): Promise<boolean>;
  /** Creates the table (SQL); call once before any app starts. */
  prepare(): Promise<void>;
  dispose(): Promise<void>;
}

export interface Backend extends ProcessBackend {
  /** A store in the test process on the same namespace. */
  store(overrides?: { prefix?: string }): IdempotencyStore;
  /** Every stored byte of this run (Redis key names and values; SQL rows, all columns). */
  rawDump(): Promise<Buffer>;
}

const suffix = () => randomBytes(5).toString('hex');

export function memoryBackend(): Backend {
  const prefix = `idem-rel-${suffix()}`;
  const stores: MemoryStore[] = [];
  return {
    kind: 'memory',
    label: 'memory',
    crossProcess: false,
    config: { kind: 'memory', prefix },
    available: async () => true,
    prepare: async () => {},
    store: (overrides) => {
      const store = new MemoryStore({ prefix: overrides?.prefix ?? prefix });
      stores.push(store);
      return store;
    },
    rawDump: async () => {
      // The memory store's map is private; its records are the raw state (read through the class).
      const parts: Buffer[] = [];
      for (const store of stores) {
        const records = (store as unknown as { records: Map<string, Record<string, unknown>> }).records;
        for (const [id, value] of records) {
          parts.push(Buffer.from(id));
          for (const field of Object.values(value))
            parts.push(field instanceof Uint8Array ? Buffer.from(field) : Buffer.from(String(field)));
        }
      }
      return Buffer.concat(parts);
    },
    dispose: async () => {
      await Promise.all(stores.map((store) => store.close()));
    },
  };
}

export function redisBackend(url = serviceUrls.redis): Backend & { client: Redis } {
  const prefix = `idem-rel-${suffix()}`;
  const client = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  client.on('error', () => {});
  const keys = async () => {
    const found: Buffer[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scanBuffer(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = String(next);
      found.push(...batch);
    } while (cursor !== '0');
    return found;
  };
  return {
    kind: 'redis',
    label: 'Redis',
    crossProcess: true,
    client,
    config: { kind: 'redis', prefix, url },
    available: () => serviceAvailable('Redis', () => client.ping()),
    prepare: async () => {},
    store: (overrides) => new RedisStore({ client, prefix: overrides?.prefix ?? prefix }),
    rawDump: async () => {
      const parts: Buffer[] = [];
      for (const key of await keys()) {
        parts.push(key);
        const value = await client.getBuffer(key);
        if (value) parts.push(value);
      }
      return Buffer.concat(parts);
    },
    dispose: async () => {
      if (client.status === 'ready') for (const key of await keys()) await client.del(key);
      client.disconnect();
    },
  };
}

export function postgresBackend(): Backend & { pool: Pool; table: string } {
  const table = `idem_rel_${suffix()}`;
  const applicationName = `idem-rel-${suffix()}`;
  const pool = new Pool({ connectionString: serviceUrls.postgres, max: 4 });
  pool.on('error', () => {});
  const prefix = `idem-rel-${suffix()}`;
  return {
    kind: 'postgres',
    label: 'PostgreSQL',
    crossProcess: true,
    pool,
    table,
    config: { kind: 'postgres', prefix, url: serviceUrls.postgres, table, applicationName },
    available: () => serviceAvailable('PostgreSQL', () => pool.query('SELECT 1')),
    prepare: () => new SqlStore({ dialect: postgres(pool), table }).migrate(),
    store: (overrides) => new SqlStore({ dialect: postgres(pool), table, prefix: overrides?.prefix ?? prefix }),
    rawDump: async () => rowsToBytes((await pool.query(`SELECT * FROM "${table}"`)).rows),
    dispose: async () => {
      await pool.query(`DROP TABLE IF EXISTS "${table}"`).catch(() => {});
      await pool.end();
    },
  };
}

export function mysqlBackend(): Backend & { pool: ReturnType<typeof createPool>; table: string } {
  const table = `idem_rel_${suffix()}`;
  const pool = createPool({ uri: serviceUrls.mysql, connectionLimit: 4 });
  const prefix = `idem-rel-${suffix()}`;
  return {
    kind: 'mysql',
    label: 'MariaDB/MySQL',
    crossProcess: true,
    pool,
    table,
    config: { kind: 'mysql', prefix, url: serviceUrls.mysql, table },
    available: () => serviceAvailable('MariaDB/MySQL', () => pool.query('SELECT 1')),
    prepare: () => new SqlStore({ dialect: mysql(pool), table }).migrate(),
    store: (overrides) => new SqlStore({ dialect: mysql(pool), table, prefix: overrides?.prefix ?? prefix }),
    rawDump: async () => rowsToBytes((await pool.query(`SELECT * FROM \`${table}\``))[0] as Record<string, unknown>[]),
    dispose: async () => {
      await pool.query(`DROP TABLE IF EXISTS \`${table}\``).catch(() => {});
      await pool.end();
    },
  };
}

export function sqliteBackend(): Backend & { db: Database.Database; table: string } {
  const dir = mkdtempSync(join(tmpdir(), 'idem-rel-sqlite-'));
  const file = join(dir, 'idem.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  const table = `idem_rel_${suffix()}`;
  const prefix = `idem-rel-${suffix()}`;
  return {
    kind: 'sqlite',
    label: 'SQLite file',
    crossProcess: true,
    db,
    table,
    config: { kind: 'sqlite', prefix, file, table },
    available: async () => true,
    prepare: () => new SqlStore({ dialect: sqlite(db), table }).migrate(),
    store: (overrides) => new SqlStore({ dialect: sqlite(db), table, prefix: overrides?.prefix ?? prefix }),
    rawDump: async () => rowsToBytes(db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]),
    dispose: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** idem's Prisma model (@idem/prisma's README) as a table, in plain SQL: `prisma db push` needs the schema engine. */
const prismaRecordsTable = (blob: string) => `CREATE TABLE "idempotency_records" (
  "key" TEXT NOT NULL PRIMARY KEY,
  "fingerprint" TEXT NOT NULL,
  "status" TEXT NOT NULL,
  "response" ${blob},
  "token" TEXT,
  "created_at" BIGINT NOT NULL,
  "expires_at" BIGINT NOT NULL,
  "lock_expires_at" BIGINT NOT NULL
)`;

/**
 * PrismaStore on PostgreSQL, in a schema of its own per run (the Prisma schema's tables have fixed
 * names). `pool` works in that schema too (its search_path), for the ledger reads of the test process.
 */
export function prismaPostgresBackend(): ProcessBackend & { pool: Pool } {
  const schema = `idem_rel_prisma_${suffix()}`;
  const applicationName = `idem-rel-${suffix()}`;
  const pool = new Pool({ connectionString: serviceUrls.postgres, max: 4, options: `-c search_path=${schema}` });
  pool.on('error', () => {});
  return {
    kind: 'prisma-postgres',
    label: 'Prisma on PostgreSQL',
    crossProcess: true,
    pool,
    config: { kind: 'prisma-postgres', prefix: `idem-rel-${suffix()}`, url: serviceUrls.postgres, schema, applicationName },
    available: () => serviceAvailable('PostgreSQL', () => pool.query('SELECT 1')),
    prepare: async () => {
      await pool.query(`CREATE SCHEMA "${schema}"`);
      await pool.query(prismaRecordsTable('BYTEA'));
    },
    dispose: async () => {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
      await pool.end();
    },
  };
}

/** PrismaStore on a SQLite file in WAL mode, shared by the app processes; `db` reads it from the test process. */
export function prismaSqliteBackend(): ProcessBackend & { db: Database.Database } {
  const dir = mkdtempSync(join(tmpdir(), 'idem-rel-prisma-'));
  const file = join(dir, 'idem.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  return {
    kind: 'prisma-sqlite',
    label: 'Prisma on a SQLite file',
    crossProcess: true,
    db,
    config: { kind: 'prisma-sqlite', prefix: `idem-rel-${suffix()}`, file },
    available: async () => true,
    prepare: async () => void db.exec(prismaRecordsTable('BLOB')),
    dispose: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function rowsToBytes(rows: Record<string, unknown>[]): Buffer {
  const parts: Buffer[] = [];
  for (const row of rows) {
    for (const value of Object.values(row)) {
      if (value === null || value === undefined) continue;
      parts.push(value instanceof Uint8Array ? Buffer.from(value) : Buffer.from(String(value)));
    }
  }
  return Buffer.concat(parts);
}

/** Every backend, in the order the suites report them. */
export function allBackends(): Backend[] {
  return [memoryBackend(), redisBackend(), postgresBackend(), mysqlBackend(), sqliteBackend()];
}
