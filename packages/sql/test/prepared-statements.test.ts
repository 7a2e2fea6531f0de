/**
 * Each driver parses the store's statements once per connection, not once per call: named prepared
 * statements on PostgreSQL (pg and postgres.js, with `prepare: false` for transaction-pooling
 * proxies), mysql2's `execute` on MySQL/MariaDB, statements cached per Database on SQLite. Each test
 * reads the server's own bookkeeping of one connection.
 */
import Database from 'better-sqlite3';
import { createPool } from 'mysql2/promise';
import { Client } from 'pg';
import postgresJs from 'postgres';
import { ConfigurationError, IdempotencyRunner } from '@idem/core';
import { serviceAvailable, serviceUrls } from '@idem/testkit';
import { mysql, postgres, sqlite, SqlStore, type SqlDialect } from '../src';
import { uniqueTable } from './databases';

/** Three first executions and three replays, then a handler that fails (release): every statement kind of a request. */
async function traffic(dialect: SqlDialect, table: string): Promise<void> {
  const store = new SqlStore({ dialect, table, prefix: `prepared-${Math.random()}:` });
  await store.migrate();
  const runner = new IdempotencyRunner({ store });
  for (let i = 0; i < 3; i++) {
    expect(await runner.run(`k-${i}`, async () => ({ i }))).toEqual({ i });
    expect(await runner.run(`k-${i}`, async () => ({ i: -1 }))).toEqual({ i });
  }
  await expect(
    runner.run('fails', async () => {
      throw new Error('boom');
    }),
  ).rejects.toThrow('boom');
}

describe('PostgreSQL (pg): named prepared statements', () => {
  const table = uniqueTable();
  const client = new Client({ connectionString: serviceUrls.postgres });
  let available = false;
  beforeAll(async () => {
    available = await serviceAvailable('PostgreSQL', () => client.connect());
  });
  afterAll(async () => {
    if (!available) return;
    await client.query(`DROP TABLE IF EXISTS "${table}"`);
    await client.end();
  });
  const ours = async () =>
    (
      await client.query(
        "SELECT name, statement, generic_plans + custom_plans AS runs FROM pg_prepared_statements WHERE name LIKE 'idem_%'",
      )
    ).rows as { name: string; statement: string; runs: string }[];

  it('prepares each statement once per connection and runs it many times', async () => {
    if (!available) return;
    await traffic(postgres(client), table);
    const statements = await ours();
    // acquire, complete and release, each under one name, each run more than once except release.
    const byKind = (word: string) => statements.filter((s) => s.statement.includes(table) && s.statement.trimStart().startsWith(word));
    expect(byKind('WITH attempt')).toHaveLength(1);
    expect(Number(byKind('WITH attempt')[0]!.runs)).toBe(7);
    expect(byKind('UPDATE')).toHaveLength(1);
    expect(Number(byKind('UPDATE')[0]!.runs)).toBe(3);
    expect(byKind('DELETE')).toHaveLength(1);
  });

  it('prepare: false sends every statement unnamed (for PgBouncer-style transaction pooling)', async () => {
    if (!available) return;
    const other = uniqueTable();
    try {
      await traffic(postgres(client, { prepare: false }), other);
      expect((await ours()).filter((s) => s.statement.includes(other))).toEqual([]);
    } finally {
      await client.query(`DROP TABLE IF EXISTS "${other}"`);
    }
  });

  it('refuses a prepare option that is not a boolean', () => {
    expect(() => postgres(client, { prepare: 'yes' as never })).toThrow(ConfigurationError);
  });
});

describe('PostgreSQL (postgres.js): prepared statements', () => {
  it('prepares the store’s statements, unless the connection says prepare: false', async () => {
    for (const prepare of [true, false]) {
      const sql = postgresJs(serviceUrls.postgres, { max: 1, prepare, onnotice: () => {} });
      const table = uniqueTable();
      try {
        if (!(await serviceAvailable('PostgreSQL', () => sql.unsafe('SELECT 1')))) return;
        await traffic(postgres(sql), table);
        const rows = await sql.unsafe('SELECT statement FROM pg_prepared_statements');
        const prepared = Array.from(rows).filter((row) => String(row.statement).includes(table));
        if (prepare) expect(prepared.length).toBeGreaterThanOrEqual(3);
        else expect(prepared).toEqual([]);
      } finally {
        await sql.unsafe(`DROP TABLE IF EXISTS "${table}"`).catch(() => {});
        await sql.end({ timeout: 1 });
      }
    }
  });
});

describe('MySQL/MariaDB: mysql2 execute (server-side prepared statements)', () => {
  it('prepares each statement once per connection and executes it on every call', async () => {
    // One connection, so the session counters below are the store's.
    const pool = createPool({ uri: serviceUrls.mysql, connectionLimit: 1 });
    const table = uniqueTable();
    try {
      if (!(await serviceAvailable('MariaDB/MySQL', () => pool.query('SELECT 1')))) return;
      const counters = async () => {
        const [rows] = await pool.query("SHOW SESSION STATUS WHERE Variable_name IN ('Com_stmt_prepare', 'Com_stmt_execute')");
        return Object.fromEntries((rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, Number(r.Value)]));
      };
      const before = await counters();
      await traffic(mysql(pool), table);
      const after = await counters();
      // The DDL, then 3 × (acquire, read back, complete) + 3 × (acquire, read back) + (acquire, read
      // back, release): 19 statements of 5 distinct texts, each prepared once.
      expect(after.Com_stmt_execute! - before.Com_stmt_execute!).toBe(19);
      expect(after.Com_stmt_prepare! - before.Com_stmt_prepare!).toBe(5);
    } finally {
      await pool.query(`DROP TABLE IF EXISTS \`${table}\``).catch(() => {});
      await pool.end();
    }
  });
});

describe('SQLite: statements cached per Database', () => {
  it('prepares each statement once, however many requests run', async () => {
    const db = new Database(':memory:');
    let prepared = 0;
    const counting = new Proxy(db, {
      get(target, property) {
        if (property === 'prepare') return (sql: string) => (prepared++, target.prepare(sql));
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    try {
      await traffic(sqlite(counting), 'idempotency_keys');
      // The DDL (2 statements), then acquire, complete and release.
      expect(prepared).toBe(5);
    } finally {
      db.close();
    }
  });
});
