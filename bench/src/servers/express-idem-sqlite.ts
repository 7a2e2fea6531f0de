/** Express + @idem/express on @idem/sql with SQLite (better-sqlite3, WAL); statements counted. */
import { idempotency } from '@idem/express';
import { SqlStore, sqlite, type SqliteDatabase } from '@idem/sql';
import Database from 'better-sqlite3';
import { benchEnv, createBenchApp, serve, stats } from './bench-app';

const db = new Database(benchEnv.sqliteFile);
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
const counted: SqliteDatabase = {
  prepare(sql) {
    const statement = db.prepare(sql);
    return {
      reader: statement.reader,
      all: (...params) => (stats.statements++, statement.all(...params)),
      run: (...params) => (stats.statements++, statement.run(...params)),
    };
  },
};
const store = new SqlStore({ dialect: sqlite(counted) });
await store.migrate();
stats.statements = 0;
serve(createBenchApp({ protect: [idempotency({ store })] }), async () => void db.close());
