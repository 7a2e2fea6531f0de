/** Transactional mode: the same ledger row, written through idempotencyTransaction(req): it commits with the record. */
import type { PoolClient } from 'pg';
import { idempotencyTransaction } from '@idem/express';
import { INSERT_ROW, serveLedgerApp } from './postgres-ledger';

await serveLedgerApp(
  () => (req, amount) => idempotencyTransaction(req)(async (tx: PoolClient) => void (await tx.query(INSERT_ROW, [amount ?? null]))),
);
