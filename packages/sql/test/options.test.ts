import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import postgresJs from 'postgres';
import { ConfigurationError } from '@idem/core';
import { createTableSql, DEFAULT_TABLE, mysql, postgres, sqlite, SqlStore, type DialectName } from '../src';
import { compileStatement, bindParameters } from '../src/named-params';

const db = new Database(':memory:');
afterAll(() => db.close());

describe('SqlStore options', () => {
  it('requires a dialect', () => {
    expect(() => new SqlStore({} as never)).toThrow(ConfigurationError);
    expect(() => new SqlStore({ dialect: {} as never })).toThrow(/dialect/);
  });

  it('a dialect helper refuses something that is not its driver', () => {
    expect(() => postgres({} as never)).toThrow(/pg Pool/);
    expect(() => mysql({} as never)).toThrow(/mysql2/);
    expect(() => sqlite({} as never)).toThrow(/better-sqlite3/);
  });

  it('postgres() takes a postgres.js sql as well as a pg Pool (connecting only when used)', async () => {
    const sql = postgresJs('postgres://nobody@127.0.0.1:1/none');
    expect(postgres(sql).sql.name).toBe('postgres');
    await sql.end();
  });

  it.each(['idempotency keys', 'keys; DROP TABLE users', 'a.b.c', '"quoted"', '1table', '', 'x'.repeat(49), 'schema.', '`t`'])(
    'refuses the table name %j',
    (table) => {
      expect(() => new SqlStore({ dialect: sqlite(db), table })).toThrow(ConfigurationError);
    },
  );

  it.each(['idempotency_keys', 'Idem_2', 'billing.idempotency_keys', 'x'.repeat(48)])('accepts the table name %j', (table) => {
    expect(() => new SqlStore({ dialect: sqlite(db), table })).not.toThrow();
  });

  it('refuses a prefix that is not a string', () => {
    expect(() => new SqlStore({ dialect: sqlite(db), prefix: 42 as never })).toThrow(/prefix/);
  });

  it('uses idempotency_keys when no table is given', async () => {
    const store = new SqlStore({ dialect: sqlite(db) });
    await store.migrate();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([{ name: DEFAULT_TABLE }]);
  });

  it('close() leaves the caller’s database open', async () => {
    await new SqlStore({ dialect: sqlite(db) }).close();
    expect(db.open).toBe(true);
  });
});

describe('createTableSql', () => {
  it.each<DialectName>(['postgres', 'mysql', 'sqlite'])('the shipped sql/%s.sql is exactly what createTableSql produces', (name) => {
    const shipped = readFileSync(join(__dirname, '..', 'sql', `${name}.sql`), 'utf8');
    expect(shipped).toContain(createTableSql(name));
  });

  it('quotes the table (schema-qualified) in each dialect’s own way', () => {
    expect(createTableSql('postgres', 'billing.keys')).toContain('CREATE TABLE IF NOT EXISTS "billing"."keys"');
    expect(createTableSql('mysql', 'billing.keys')).toContain('CREATE TABLE IF NOT EXISTS `billing`.`keys`');
    expect(createTableSql('sqlite', 'main.keys')).toContain('CREATE INDEX IF NOT EXISTS "main"."keys_expires_at_idx" ON "keys"');
  });

  it('uses a binary response column and an expiry index in every dialect', () => {
    expect(createTableSql('postgres')).toMatch(/response bytea[\s\S]*\(expires_at\)/);
    expect(createTableSql('mysql')).toMatch(/response LONGBLOB[\s\S]*\(expires_at\)/);
    expect(createTableSql('sqlite')).toMatch(/response BLOB[\s\S]*\(expires_at\)/);
  });

  it('accepts a bound dialect as well as a name, and refuses bad input', () => {
    expect(createTableSql(sqlite(db), 't')).toBe(createTableSql('sqlite', 't'));
    expect(() => createTableSql('oracle' as never)).toThrow(/Unknown dialect/);
    expect(() => createTableSql('postgres', 'x; DROP TABLE y')).toThrow(ConfigurationError);
  });
});

describe('named parameters', () => {
  it('bind once per name with numbered placeholders and once per use with positional ones', () => {
    const template = 'a = :now OR b = :key OR c = :now';
    const numbered = compileStatement(template, 'numbered');
    expect(numbered.sql).toBe('a = $1 OR b = $2 OR c = $1');
    expect(bindParameters(numbered, { now: 5, key: 'k' })).toEqual([5, 'k']);
    const positional = compileStatement(template, 'positional');
    expect(positional.sql).toBe('a = ? OR b = ? OR c = ?');
    expect(bindParameters(positional, { now: 5, key: 'k' })).toEqual([5, 'k', 5]);
    expect(() => bindParameters(positional, { now: 5 })).toThrow(/:key/);
  });
});
