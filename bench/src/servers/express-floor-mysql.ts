/** The floor under idem on MySQL / MariaDB (store-floor.ts): the SqlStore's two statements alone, counted like idem's. */
import { SqlStore, mysql } from '@idem/sql';
import { benchEnv, createBenchApp, serve, stats } from './bench-app';
import { countedMysqlPool } from './counted-clients';
import { storeFloor } from './store-floor';

const { pool, close } = countedMysqlPool();
const store = new SqlStore({ dialect: mysql(pool), table: `${benchEnv.pgTable}_floor` });
await store.migrate();
stats.statements = 0;
serve(createBenchApp({ protect: [storeFloor(store)] }), close);
