/**
 * The real databases (PostgreSQL through both of its clients) the tests run on, each behind the same small shape: a connection, a dialect
 * bound to it, a unique table per test run (dropped afterwards), and raw SQL for test setup.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createPool } from 'mysql2/promise';
import { Pool } from 'pg';
import postgresJs from 'postgres';
import { serviceAvailable, serviceUrls } from '@idem/testkit';
import { mysql, postgres, sqlite, type DialectName, type MysqlValue, type SqlDialect } from '../src';

export interface TestDatabase {
  name: DialectName;
  label: string;
  /** A fresh table name for this run: `idem_test_<random>`. */
  table: string;
  dialect: SqlDialect;
  /** The server, for suites that report their tests as skipped when it is missing (none for SQLite). */
  service?: { name: string; url: string };
  /** Resolves false (with a loud message) when the server is missing, unless services are required. */
  available(): Promise<boolean>;
  /** Raw SQL on the store's own connection, for setup and inspection. */
  raw(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Connection settings a child process needs to open its own connection (see race-factory.ts). */
  childConfig: Record<string, string>;
  /** A dialect on the same connection that counts every statement sent through the driver. */
  counting(): { dialect: SqlDialect; statements: () => number };
  /** A schema that qualifies the test table (`public`, the MySQL database, SQLite's `main`). */
  schema(): Promise<string>;
  /** Drops the table and closes the connection. */
  dispose(): Promise<void>;
}

export const uniqueTable = () => `idem_test_${randomBytes(5).toString('hex')}`;

export type PostgresTestDatabase = TestDatabase & {
  /** Test PostgreSQL connections carry this name, so a fault test can find and kill exactly them. */
  applicationName: string;
};

const testApplicationName = () => `idem-test-${randomBytes(4).toString('hex')}`;

/** `it` whose body runs only once the suite's `beforeAll` found the database (`available()`). */
export function liveTest(available: () => boolean) {
  return (title: string, body: () => Promise<void>, timeout?: number) =>
    it(
      title,
      async () => {
        if (available()) await body();
      },
      timeout,
    );
}

export function postgresDatabase(table = uniqueTable()): PostgresTestDatabase & { pool: Pool } {
  const applicationName = testApplicationName();
  const pool = new Pool({ connectionString: serviceUrls.postgres, application_name: applicationName, max: 10 });
  // A killed idle connection is reported on the pool; without a listener Node would crash the process.
  pool.on('error', () => {});
  return {
    name: 'postgres',
    label: 'PostgreSQL',
    table,
    pool,
    applicationName,
    dialect: postgres(pool),
    service: { name: 'PostgreSQL', url: serviceUrls.postgres },
    available: () => serviceAvailable('PostgreSQL', () => pool.query('SELECT 1')),
    raw: async (sql, params) => (await pool.query(sql, params)).rows,
    childConfig: { url: serviceUrls.postgres },
    counting() {
      let sent = 0;
      const counted = { query: (text: string, values?: unknown[]) => (sent++, pool.query(text, values)) };
      return { dialect: postgres(counted), statements: () => sent };
    },
    schema: async () => 'public',
    async dispose() {
      await pool.query(`DROP TABLE IF EXISTS "${table}"`).catch(() => {});
      await pool.end();
    },
  };
}

/** The same PostgreSQL through postgres.js: the dialect runs every statement through `sql.unsafe()`. */
export function postgresJsDatabase(table = uniqueTable()): PostgresTestDatabase {
  const name = testApplicationName();
  const sql = postgresJs(serviceUrls.postgres, { max: 10, onnotice: () => {}, connection: { application_name: name } });
  return {
    name: 'postgres',
    label: 'PostgreSQL (postgres.js)',
    table,
    applicationName: name,
    dialect: postgres(sql),
    service: { name: 'PostgreSQL', url: serviceUrls.postgres },
    available: () => serviceAvailable('PostgreSQL', () => sql.unsafe('SELECT 1')),
    raw: async (text, params) => Array.from(await sql.unsafe(text, params as never[])),
    childConfig: { url: serviceUrls.postgres, client: 'postgres.js' },
    counting() {
      let sent = 0;
      const counted = {
        unsafe: (text: string, values?: never[], options?: { prepare?: boolean }) => (sent++, sql.unsafe(text, values, options)),
      };
      return { dialect: postgres(counted), statements: () => sent };
    },
    schema: async () => 'public',
    async dispose() {
      await sql.unsafe(`DROP TABLE IF EXISTS "${table}"`).catch(() => {});
      // postgres.js 3.4: after a server-side disconnect, end() with no timeout never resolves.
      await sql.end({ timeout: 1 });
    },
  };
}

export function mysqlDatabase(table = uniqueTable()): TestDatabase & { pool: ReturnType<typeof createPool> } {
  const pool = createPool({ uri: serviceUrls.mysql, connectionLimit: 10 });
  return {
    name: 'mysql',
    label: 'MariaDB/MySQL',
    table,
    pool,
    dialect: mysql(pool),
    service: { name: 'MariaDB/MySQL', url: serviceUrls.mysql },
    available: () => serviceAvailable('MariaDB/MySQL', () => pool.query('SELECT 1')),
    raw: async (sql, params) => (await pool.query(sql, params))[0] as Record<string, unknown>[],
    childConfig: { url: serviceUrls.mysql },
    counting() {
      let sent = 0;
      const counted = { execute: (sql: string, values: MysqlValue[]) => (sent++, pool.execute(sql, values)) };
      return { dialect: mysql(counted), statements: () => sent };
    },
    schema: async () => String(((await pool.query('SELECT DATABASE() AS db'))[0] as { db: string }[])[0]!.db),
    async dispose() {
      await pool.query(`DROP TABLE IF EXISTS \`${table}\``).catch(() => {});
      await pool.end();
    },
  };
}

/** Opens a database file the way the README recommends: WAL, and a busy timeout for concurrent writers. */
export function openSqlite(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  return db;
}

export function sqliteDatabase(table = uniqueTable()): TestDatabase & { db: Database.Database; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'idem-sqlite-'));
  const file = join(dir, 'idem.db');
  const db = openSqlite(file);
  return {
    name: 'sqlite',
    label: 'SQLite',
    table,
    db,
    file,
    dialect: sqlite(db),
    available: async () => true,
    raw: async (sql, params = []) => {
      const statement = db.prepare(sql);
      if (statement.reader) return statement.all(...params) as Record<string, unknown>[];
      statement.run(...params);
      return [];
    },
    childConfig: { file },
    counting() {
      let sent = 0;
      const inner = sqlite(db);
      return { dialect: { ...inner, execute: (sql, params) => (sent++, inner.execute(sql, params)) }, statements: () => sent };
    },
    schema: async () => 'main',
    async dispose() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
