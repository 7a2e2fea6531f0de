/** Transactional mode: the same ledger row, written through idempotencyTransaction(req): it commits with the record. */
import type { PoolClient } from 'pg';
import { idempotency, idempotencyTransaction } from '@idem/express';
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
    effect: (req, amount) => idempotencyTransaction(req)(async (tx: PoolClient) => void (await tx.query(INSERT_ROW, [amount ?? null]))),
  }),
  () => pool.end(),
);
