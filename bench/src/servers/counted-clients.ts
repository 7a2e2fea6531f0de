/**
 * Database clients whose every statement is counted in `stats.statements` (GET /__stats), so the bench
 * reports statements per request as counted, not estimated.
 */
import type { SqliteDatabase } from '@idem/sql';
import Database from 'better-sqlite3';
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
