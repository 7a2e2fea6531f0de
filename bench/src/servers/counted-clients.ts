/**
 * Database clients whose every statement is counted in `stats.statements` (GET /__stats), so the bench
 * reports statements per request as counted, not estimated.
 */
import type { SqliteDatabase } from '@idem/sql';
import Database from 'better-sqlite3';
import { createPool, type Pool as MysqlPool } from 'mysql2/promise';
import pg from 'pg';
import { benchEnv, stats } from './bench-app';

/** A pool counting on each connection, so a transaction's statements count too. */
export function countedPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: benchEnv.pgUrl, max: 10 });
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      stats.statements++;
      return query(...args);
    };
  });
  return pool;
}

/** A mysql2 promise pool whose every statement (`execute`, as the store sends them) is counted. */
export function countedMysqlPool(): { pool: MysqlPool; close: () => Promise<void> } {
  const pool = createPool({ uri: benchEnv.mysqlUrl, connectionLimit: 10 });
  const execute = pool.execute.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { execute: (...args: unknown[]) => unknown }).execute = (...args: unknown[]) => {
    stats.statements++;
    return execute(...args);
  };
  return { pool, close: () => pool.end() };
}

/** The run's SQLite file (WAL, as an app serving concurrent requests would open it), counted per statement run. */
export function countedSqlite(): { db: SqliteDatabase; close: () => void } {
  const file = new Database(benchEnv.sqliteFile);
  file.pragma('journal_mode = WAL');
  file.pragma('busy_timeout = 5000');
  const db: SqliteDatabase = {
    prepare(sql) {
      const statement = file.prepare(sql);
      return {
        reader: statement.reader,
        all: (...params) => (stats.statements++, statement.all(...params)),
        run: (...params) => (stats.statements++, statement.run(...params)),
      };
    },
  };
  return { db, close: () => void file.close() };
}
