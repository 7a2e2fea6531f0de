/** Plain mode: @idem/sql on PostgreSQL, the handler's ledger row written on its own (autocommit), apart from the record. */
import { idempotency } from '@idem/express';
import { SqlStore, postgres } from '@idem/sql';
import { benchEnv, createBenchApp, serve, stats } from './bench-app';
import { countedPool, createLedger, INSERT_ROW } from './postgres-ledger';

const pool = countedPool();
const store = new SqlStore({ dialect: postgres(pool), table: benchEnv.pgTable });
await store.migrate();
await createLedger(pool);
stats.statements = 0;
serve(
  createBenchApp({
    protect: [idempotency({ store })],
    effect: async (_req, amount) => void (await pool.query(INSERT_ROW, [amount ?? null])),
  }),
  () => pool.end(),
);
