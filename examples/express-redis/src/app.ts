/**
 * A tiny payments API. `POST /payments` charges once per Idempotency-Key: a retry with the same key
 * gets the first answer back (with `Idempotent-Replayed: true`) and never charges again, even when the
 * retries land on different instances of the app: the record lives in Redis.
 */
import { randomUUID } from 'node:crypto';
import express from 'express';
import type { IdempotencyStore } from '@idem/core';
import { idempotency } from '@idem/express';

export function createApp(store: IdempotencyStore): express.Express {
  const app = express();
  let charges = 0;
  // idempotency() first: it reads the request body for the fingerprint and leaves it for express.json().
  app.use(idempotency({ store }));
  app.use(express.json());
  app.post('/payments', (req: express.Request, res: express.Response) => {
    const amount = Number(req.body?.amount);
    if (!Number.isInteger(amount) || amount <= 0) {
      res.status(400).json({ error: 'amount must be a positive whole number of cents' });
      return;
    }
    charges++;
    res.status(201).json({ id: `pay_${randomUUID()}`, amount, charge: charges });
  });
  return app;
}
