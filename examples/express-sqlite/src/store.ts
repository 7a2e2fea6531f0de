/** The idempotency store in a SQLite file: the table is created on start if it is missing. */
import Database from 'better-sqlite3';
import { sqlite, SqlStore } from '@idem/sql';

export async function openStore(
  file: string,
  table?: string,
): Promise<{ store: SqlStore; db: Database.Database; close: () => Promise<void> }> {
  const db = new Database(file);
  db.pragma('journal_mode = WAL'); // readers never block the writer
  db.pragma('busy_timeout = 5000'); // several processes on one file wait for each other's writes
  const store = new SqlStore({ dialect: sqlite(db), table });
  await store.migrate();
  return { store, db, close: async () => void db.close() };
}
