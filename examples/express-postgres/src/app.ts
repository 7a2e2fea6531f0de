/**
 * A payments ledger. `POST /payments` books once per Idempotency-Key: the ledger row is written in the
 * same PostgreSQL transaction as idem's record, so it commits only together with the stored answer. A
 * retry gets the first answer back (with `Idempotent-Replayed: true`) and books nothing; a handler that
 * fails, or that lost its key to a retry while it stalled, leaves no row behind.
 */
import express from 'express';
import type { PoolClient } from 'pg';
import type { IdempotencyStore } from '@idem/core';
import { idempotency, idempotencyTransaction } from '@idem/express';

export function createApp(store: IdempotencyStore, ledger = 'ledger'): express.Express {
  const app = express();
  // idempotency() first: it reads the request body for the fingerprint and leaves it for express.json().
  app.use(idempotency({ store }));
  app.use(express.json());
  app.post('/payments', async (req: express.Request, res: express.Response) => {
    const amount = Number(req.body?.amount);
    if (!Number.isInteger(amount) || amount <= 0) {
      res.status(400).json({ error: 'amount must be a positive whole number of cents' });
      return;
    }
    const entry = await idempotencyTransaction(req)(async (tx: PoolClient) => {
      const { rows } = await tx.query(`INSERT INTO "${ledger}" (amount) VALUES ($1) RETURNING id`, [amount]);
      return rows[0] as { id: number };
    });
    res.status(201).json({ id: `pay_${entry.id}`, amount });
  });
  return app;
}
