/**
 * A tiny payments API. `POST /payments` charges once per Idempotency-Key: a retry with the same key
 * gets the first answer back (with `Idempotent-Replayed: true`) and never charges again.
 */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import type { IdempotencyStore } from '@idem/core';
import { idempotency, type IdempotencyEnv } from '@idem/hono';

export function createApp(store: IdempotencyStore): Hono<IdempotencyEnv> {
  const app = new Hono<IdempotencyEnv>();
  let charges = 0;
  // Reads the body for the fingerprint from a clone: the handler's c.req.json() still gets it.
  app.use(idempotency({ store }));
  app.post('/payments', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { amount?: unknown };
    const amount = Number(body.amount);
    if (!Number.isInteger(amount) || amount <= 0) return c.json({ error: 'amount must be a positive whole number of cents' }, 400);
    charges++;
    return c.json({ id: `pay_${randomUUID()}`, amount, charge: charges }, 201);
  });
  return app;
}
