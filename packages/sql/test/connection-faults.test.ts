/**
 * A connection killed mid-statement surfaces as StorageError (the manager answers 503, the handler
 * does not run), and the pool serves the next call on a fresh connection: on PostgreSQL through each
 * of its clients, and on MariaDB/MySQL.
 */
import { StorageError } from '@idem/core';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { serviceUrls } from '@idem/testkit';
import { SqlStore } from '../src';
import { mysqlDatabase, postgresDatabase, postgresJsDatabase, type PostgresTestDatabase } from './databases';

const options = (now: number) => ({ lockTtlMs: 5_000, ttlMs: 60_000, now });

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('condition never became true');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each<[string, () => PostgresTestDatabase]>([
  ['pg', postgresDatabase],
  ['postgres.js', postgresJsDatabase],
])('PostgreSQL connection faults (%s)', (_client, open) => {
  const database = open();
  let available = false;
  beforeAll(async () => {
    available = await database.available();
  });
  afterAll(() => database.dispose());

  it('a backend terminated mid-acquire gives StorageError, and the next call succeeds', async () => {
    if (!available) return;
    const store = new SqlStore({ dialect: database.dialect, table: database.table });
    await store.migrate();
    expect((await store.acquire('k', 'fp', options(Date.now()))).state).toBe('acquired');

    // Another session holds the row lock, so the store's next acquire waits inside the server.
    const holder = new Client({ connectionString: serviceUrls.postgres });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(`SELECT * FROM "${database.table}" FOR UPDATE`);
    const pending = store.acquire('k', 'fp', options(Date.now()));
    pending.catch(() => {});
    await until(async () => {
      const { rows } = await holder.query("SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [
        database.applicationName,
      ]);
      return rows.length > 0 ? rows : undefined;
    });
    await holder.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [database.applicationName]);

    const error = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).cause).toBeDefined();
    await holder.query('ROLLBACK');
    await holder.end();

    expect((await store.get('k'))?.status).toBe('in_progress');
  });
});

describe('MariaDB/MySQL connection faults', () => {
  const database = mysqlDatabase();
  let available = false;
  beforeAll(async () => {
    available = await database.available();
  });
  afterAll(() => database.dispose());

  it('a connection KILLed mid-acquire gives StorageError, and the next call succeeds', async () => {
    if (!available) return;
    const store = new SqlStore({ dialect: database.dialect, table: database.table });
    await store.migrate();
    expect((await store.acquire('k', 'fp', options(Date.now()))).state).toBe('acquired');

    const holder = await createConnection({ uri: serviceUrls.mysql });
    await holder.query('BEGIN');
    await holder.query(`SELECT * FROM \`${database.table}\` FOR UPDATE`);
    const pending = store.acquire('k', 'fp', options(Date.now()));
    pending.catch(() => {});
    const victim = await until(async () => {
      const [rows] = await holder.query('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO LIKE ?', [
        `INSERT INTO \`${database.table}\`%`,
      ]);
      return (rows as { id: number }[])[0]?.id;
    });
    await holder.query(`KILL ${Number(victim)}`);

    const error = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).cause).toBeDefined();
    await holder.query('ROLLBACK');
    await holder.end();

    expect((await store.get('k'))?.status).toBe('in_progress');
  });
});
