/** The floor under idem on SQLite (store-floor.ts): the SqlStore's two statements alone, counted like idem's. */
import { SqlStore, sqlite } from '@idem/sql';
import { createBenchApp, serve, stats } from './bench-app';
import { countedSqlite } from './counted-clients';
import { storeFloor } from './store-floor';

const { db, close } = countedSqlite();
const store = new SqlStore({ dialect: sqlite(db), table: 'idem_floor' });
await store.migrate();
stats.statements = 0;
serve(createBenchApp({ protect: [storeFloor(store)] }), async () => close());
