/** Express + @idem/express on @idem/sql with PostgreSQL; statements counted through a wrapped pool. */
import { idempotency } from '@idem/express';
import { SqlStore, postgres } from '@idem/sql';
import { benchEnv, createBenchApp, serve, stats } from './bench-app';
import { countedPool } from './counted-clients';

const pool = countedPool();
const store = new SqlStore({ dialect: postgres(pool), table: benchEnv.pgTable });
await store.migrate();
stats.statements = 0;
serve(createBenchApp({ protect: [idempotency({ store })] }), () => pool.end());
