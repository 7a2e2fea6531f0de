/** The floor under idem on PostgreSQL (store-floor.ts): the SqlStore's two statements alone, counted like idem's. */
import { SqlStore, postgres } from '@idem/sql';
import { benchEnv, createBenchApp, serve, stats } from './bench-app';
import { countedPool } from './counted-clients';
import { storeFloor } from './store-floor';

const pool = countedPool();
const store = new SqlStore({ dialect: postgres(pool), table: `${benchEnv.pgTable}_floor` });
await store.migrate();
stats.statements = 0;
serve(createBenchApp({ protect: [storeFloor(store)] }), () => pool.end());
