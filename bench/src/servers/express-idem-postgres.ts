/** Express + @idem/express on @idem/sql with PostgreSQL; statements counted through a wrapped pool. */
import { idempotency } from '@idem/express';
import { SqlStore, postgres } from '@idem/sql';
import pg from 'pg';
import { benchEnv, createBenchApp, serve, stats } from './bench-app';

const pool = new pg.Pool({ connectionString: benchEnv.pgUrl, max: 10 });
const counted = {
  query: (text: string, values?: unknown[]) => {
    stats.statements++;
    return pool.query(text, values);
  },
};
const store = new SqlStore({ dialect: postgres(counted), table: benchEnv.pgTable });
await store.migrate();
stats.statements = 0;
serve(createBenchApp({ protect: [idempotency({ store })] }), () => pool.end());
