/**
 * Deadlocks, serialization failures and a busy SQLite file are retried a bounded number of times; a
 * failure that outlasts the retries, or is not transient, becomes StorageError with the driver's error
 * as `cause`. The errors here are real ones, produced on the real servers.
 */
import Database from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import postgresJs from 'postgres';
import { StorageError } from '@idem/core';
import { serviceAvailable, serviceUrls } from '@idem/testkit';
import { mysql, postgres, sqlite, SqlStore } from '../src';
import { sqliteDatabase, uniqueTable } from './databases';

const options = (now: number) => ({ lockTtlMs: 5_000, ttlMs: 60_000, now });

describe('SQLite busy file', () => {
  const database = sqliteDatabase();
  let other: Database.Database;
  let store: SqlStore;
  beforeAll(async () => {
    await new SqlStore({ dialect: database.dialect, table: database.table }).migrate();
    // The store's own connection gives up at once when the file is locked, so only the retry helps.
    const impatient = new Database(database.file);
    impatient.pragma('busy_timeout = 0');
    store = new SqlStore({ dialect: sqlite(impatient), table: database.table });
    other = new Database(database.file);
  });
  afterAll(async () => {
    other.close();
    await database.dispose();
  });

  it('retries SQLITE_BUSY while another connection holds the write lock briefly', async () => {
    other.exec('BEGIN IMMEDIATE');
    setTimeout(() => other.exec('COMMIT'), 15);
    expect((await store.acquire('busy-brief', 'fp', options(Date.now()))).state).toBe('acquired');
  });

  it('gives StorageError (cause SQLITE_BUSY) when the lock outlasts the retries', async () => {
    other.exec('BEGIN IMMEDIATE');
    try {
      const error = await store.acquire('busy-long', 'fp', options(Date.now())).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).cause).toMatchObject({ code: 'SQLITE_BUSY' });
    } finally {
      other.exec('COMMIT');
    }
  });
});

describe('PostgreSQL deadlock', () => {
  const table = uniqueTable();
  const a = new Client({ connectionString: serviceUrls.postgres });
  const b = new Client({ connectionString: serviceUrls.postgres });
  let available = false;
  beforeAll(async () => {
    available = await serviceAvailable('PostgreSQL', () => a.connect());
    if (!available) return;
    await b.connect();
    await a.query(`CREATE TABLE "${table}" (n int PRIMARY KEY); INSERT INTO "${table}" VALUES (1), (2)`);
  });
  afterAll(async () => {
    if (available) await a.query(`DROP TABLE IF EXISTS "${table}"`);
    await Promise.allSettled([a.end(), b.end()]);
  });

  it('a real deadlock (40P01) is retried, and the statement then succeeds', async () => {
    if (!available) return;
    await a.query('BEGIN');
    await b.query('BEGIN');
    await a.query(`UPDATE "${table}" SET n = n WHERE n = 1`);
    await b.query(`UPDATE "${table}" SET n = n WHERE n = 2`);
    const results = await Promise.allSettled([
      a.query(`UPDATE "${table}" SET n = n WHERE n = 2`),
      b.query(`UPDATE "${table}" SET n = n WHERE n = 1`),
    ]);
    await Promise.all([a.query('ROLLBACK'), b.query('ROLLBACK')]);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason as { code?: string };
    expect(failure?.code).toBe('40P01');

    // A pool that hands back that deadlock once, then works: the store retries and succeeds.
    const storeTable = uniqueTable();
    let failures = 0;
    const flaky = { query: (text: string, values?: unknown[]) => (failures-- > 0 ? Promise.reject(failure) : a.query(text, values)) };
    const store = new SqlStore({ dialect: postgres(flaky), table: storeTable });
    try {
      await store.migrate();
      failures = 1;
      expect((await store.acquire('k', 'fp', options(Date.now()))).state).toBe('acquired');
      expect(failures).toBe(-1);
    } finally {
      await a.query(`DROP TABLE IF EXISTS "${storeTable}"`);
    }
  }, 20_000);
});

describe('PostgreSQL deadlock through postgres.js', () => {
  const table = uniqueTable();
  const a = postgresJs(serviceUrls.postgres, { max: 1, onnotice: () => {} });
  const b = postgresJs(serviceUrls.postgres, { max: 1, onnotice: () => {} });
  let available = false;
  beforeAll(async () => {
    available = await serviceAvailable('PostgreSQL', () => a.unsafe('SELECT 1'));
    if (available) await a.unsafe(`CREATE TABLE "${table}" (n int PRIMARY KEY); INSERT INTO "${table}" VALUES (1), (2)`);
  });
  afterAll(async () => {
    if (available) await a.unsafe(`DROP TABLE IF EXISTS "${table}"`);
    await Promise.allSettled([a.end({ timeout: 1 }), b.end({ timeout: 1 })]);
  });

  it('a real deadlock (40P01) raised by postgres.js is recognised as transient, other errors are not', async () => {
    if (!available) return;
    await a.unsafe('BEGIN');
    await b.unsafe('BEGIN');
    await a.unsafe(`UPDATE "${table}" SET n = n WHERE n = 1`);
    await b.unsafe(`UPDATE "${table}" SET n = n WHERE n = 2`);
    const results = await Promise.allSettled([
      a.unsafe(`UPDATE "${table}" SET n = n WHERE n = 2`),
      b.unsafe(`UPDATE "${table}" SET n = n WHERE n = 1`),
    ]);
    await Promise.all([a.unsafe('ROLLBACK'), b.unsafe('ROLLBACK')]);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason as { code?: string };
    expect(failure?.code).toBe('40P01');

    const dialect = postgres(a);
    expect(dialect.isTransient(failure)).toBe(true);
    const syntax = await a.unsafe('SELEC 1').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(dialect.isTransient(syntax)).toBe(false);
  }, 20_000);
});

describe('MariaDB/MySQL deadlock', () => {
  const table = uniqueTable();
  let a: Awaited<ReturnType<typeof createConnection>>;
  let b: Awaited<ReturnType<typeof createConnection>>;
  let available = false;
  beforeAll(async () => {
    available = await serviceAvailable('MariaDB/MySQL', async () => {
      a = await createConnection({ uri: serviceUrls.mysql });
    });
    if (!available) return;
    b = await createConnection({ uri: serviceUrls.mysql });
    await a.query(`CREATE TABLE \`${table}\` (n INT PRIMARY KEY) ENGINE=InnoDB`);
    await a.query(`INSERT INTO \`${table}\` VALUES (1), (2)`);
  });
  afterAll(async () => {
    if (!available) return;
    await a.query(`DROP TABLE IF EXISTS \`${table}\``);
    await Promise.allSettled([a.end(), b.end()]);
  });

  it('a real deadlock (1213) is recognised as transient, other errors are not', async () => {
    if (!available) return;
    await a.query('BEGIN');
    await b.query('BEGIN');
    await a.query(`UPDATE \`${table}\` SET n = n + 0 WHERE n = 1`);
    await b.query(`UPDATE \`${table}\` SET n = n + 0 WHERE n = 2`);
    const results = await Promise.allSettled([
      a.query(`UPDATE \`${table}\` SET n = n + 0 WHERE n = 2`),
      b.query(`UPDATE \`${table}\` SET n = n + 0 WHERE n = 1`),
    ]);
    await Promise.all([a.query('ROLLBACK'), b.query('ROLLBACK')]);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason as { errno?: number };
    expect(failure?.errno).toBe(1213);

    const dialect = mysql(a);
    expect(dialect.isTransient(failure)).toBe(true);
    const syntax = await a.query('SELEC 1').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(dialect.isTransient(syntax)).toBe(false);
  }, 20_000);
});
