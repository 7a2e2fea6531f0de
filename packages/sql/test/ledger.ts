/**
 * The `ledger` a transactional handler writes: one row per effect and deliberately NO unique
 * constraint, so a duplicate effect shows up as a second row instead of being absorbed by the schema.
 */
import { type DialectName, SqlStore } from '../src';
import { liveTest, type TestDatabase } from './databases';

export interface Ledger {
  readonly table: string;
  create(): Promise<void>;
  /** Writes one ledger row through the transaction's handle (the driver's own connection object). */
  write(tx: unknown, key: string, amount: number): Promise<void>;
  rows(key: string): Promise<number>;
  drop(): Promise<void>;
}

const DDL: Record<DialectName, (table: string) => string> = {
  postgres: (t) => `CREATE TABLE "${t}" (id serial PRIMARY KEY, entry_key text NOT NULL, amount integer NOT NULL)`,
  mysql: (t) =>
    `CREATE TABLE \`${t}\` (id INT AUTO_INCREMENT PRIMARY KEY, entry_key VARCHAR(255) NOT NULL, amount INT NOT NULL) ENGINE=InnoDB`,
  sqlite: (t) => `CREATE TABLE "${t}" (id INTEGER PRIMARY KEY AUTOINCREMENT, entry_key TEXT NOT NULL, amount INTEGER NOT NULL)`,
};

type PgLike = { query(sql: string, params: unknown[]): Promise<unknown> };
type MysqlLike = { execute(sql: string, params: unknown[]): Promise<unknown> };
type SqliteLike = { prepare(sql: string): { run(...params: unknown[]): unknown } };

export function ledgerWriter(name: DialectName, table: string): (tx: unknown, key: string, amount: number) => Promise<void> {
  const quoted = name === 'mysql' ? `\`${table}\`` : `"${table}"`;
  if (name === 'postgres')
    return async (tx, key, amount) =>
      void (await (tx as PgLike).query(`INSERT INTO ${quoted} (entry_key, amount) VALUES ($1, $2)`, [key, amount]));
  if (name === 'mysql')
    return async (tx, key, amount) =>
      void (await (tx as MysqlLike).execute(`INSERT INTO ${quoted} (entry_key, amount) VALUES (?, ?)`, [key, amount]));
  return async (tx, key, amount) =>
    void (tx as SqliteLike).prepare(`INSERT INTO ${quoted} (entry_key, amount) VALUES (?, ?)`).run(key, amount);
}

export function ledgerOn(database: TestDatabase, table = `${database.table}_ledger`): Ledger {
  const quoted = database.dialect.sql.quote(table);
  const placeholder = database.name === 'postgres' ? '$1' : '?';
  return {
    table,
    create: async () => void (await database.raw(DDL[database.name](table))),
    write: ledgerWriter(database.name, table),
    rows: async (key) => Number((await database.raw(`SELECT COUNT(*) AS n FROM ${quoted} WHERE entry_key = ${placeholder}`, [key]))[0]!.n),
    drop: async () => void (await database.raw(`DROP TABLE IF EXISTS ${quoted}`).catch(() => undefined)),
  };
}

/**
 * A describe block's own store and ledger on `database`: migrated and created before its tests, dropped
 * (with the database's connections) after. `live` is `it` for a test that needs the database; `prefix`
 * names the store's records.
 */
export function ownLedgerStore(
  database: TestDatabase,
  { prefix }: { prefix?: string } = {},
): { ledger: Ledger; store: SqlStore; live: ReturnType<typeof liveTest> } {
  const ledger = ledgerOn(database);
  const store = new SqlStore({ dialect: database.dialect, table: database.table, ...(prefix === undefined ? {} : { prefix }) });
  let available = false;
  beforeAll(async () => {
    available = await database.available();
    if (!available) return;
    await store.migrate();
    await ledger.create();
  });
  afterAll(async () => {
    if (available) await ledger.drop();
    await database.dispose();
  }, 30_000);
  return { ledger, store, live: liveTest(() => available) };
}
