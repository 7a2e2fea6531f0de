/**
 * `createStore` for the multi-process race: each child opens its own connection to the database the
 * parent describes in IDEM_SQL_RACE, on the parent's table. Closing the store closes that connection,
 * so the child can exit.
 */
import Database from 'better-sqlite3';
import { createPool } from 'mysql2/promise';
import { Pool } from 'pg';
import postgresJs from 'postgres';
import { mysql, postgres, sqlite, SqlStore, type DialectName } from '../src';

interface RaceDatabase {
  name: DialectName;
  table: string;
  url?: string;
  /** PostgreSQL's driver: `pg` unless it says postgres.js. */
  client?: 'postgres.js';
  file?: string;
}

export async function createStore({ prefix }: { prefix: string }): Promise<SqlStore> {
  const config = JSON.parse(process.env.IDEM_SQL_RACE ?? '') as RaceDatabase;
  let dialect;
  let closeConnection: () => Promise<void> | void;
  if (config.name === 'postgres' && config.client === 'postgres.js') {
    const sql = postgresJs(config.url!, { max: 10, onnotice: () => {} });
    dialect = postgres(sql);
    closeConnection = () => sql.end();
  } else if (config.name === 'postgres') {
    const pool = new Pool({ connectionString: config.url, max: 10 });
    pool.on('error', () => {});
    dialect = postgres(pool);
    closeConnection = () => pool.end();
  } else if (config.name === 'mysql') {
    const pool = createPool({ uri: config.url!, connectionLimit: 10 });
    dialect = mysql(pool);
    closeConnection = () => pool.end();
  } else {
    const db = new Database(config.file!);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    dialect = sqlite(db);
    closeConnection = () => {
      db.close();
    };
  }
  const store = new SqlStore({ dialect, table: config.table, prefix });
  store.close = async () => {
    await closeConnection();
  };
  return store;
}
