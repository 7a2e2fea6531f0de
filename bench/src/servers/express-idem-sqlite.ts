/** Express + @idem/express on @idem/sql with SQLite (better-sqlite3, WAL); statements counted. */
import { idempotency } from '@idem/express';
import { SqlStore, sqlite } from '@idem/sql';
import { createBenchApp, serve, stats } from './bench-app';
import { countedSqlite } from './counted-clients';

const { db, close } = countedSqlite();
const store = new SqlStore({ dialect: sqlite(db) });
await store.migrate();
stats.statements = 0;
serve(createBenchApp({ protect: [idempotency({ store })] }), async () => close());
