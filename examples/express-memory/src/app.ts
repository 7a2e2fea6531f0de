/**
 * A small payments API. POST /payments "charges a card" (here: waits a little and makes up a charge id)
 * and counts how many times the charge really ran: with idem in front, a retried or duplicated request
 * never charges twice.
 */
import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import type { IdempotencyStore } from '@idem/core';
import { idempotency } from '@idem/express';
import { MemoryStore } from '@idem/memory';

export interface PaymentsApp {
  app: Express;
  /** How many times the charge handler really ran. */
  executions(): number;
}

export function createApp(options: { store?: IdempotencyStore; chargeDelayMs?: number } = {}): PaymentsApp {
  const { store = new MemoryStore(), chargeDelayMs = 100 } = options;
  let executions = 0;
  const app = express();
  app.use(express.json());
  // Every POST/PUT/PATCH/DELETE must carry an Idempotency-Key; retries replay the first answer.
  app.use(idempotency({ store, requireKey: true }));

  app.post('/payments', async (req, res) => {
    executions++;
    const { amount, currency } = (req.body ?? {}) as { amount?: unknown; currency?: unknown };
    if (!Number.isInteger(amount) || (amount as number) <= 0 || typeof currency !== 'string') {
      res.status(400).json({ error: 'amount (a positive integer) and currency are required' });
      return;
    }
    // Talking to the card processor takes a while: long enough for duplicates to overlap.
    await new Promise((resolve) => setTimeout(resolve, chargeDelayMs));
    res.status(201).json({ id: `ch_${randomUUID().slice(0, 8)}`, amount, currency, status: 'succeeded' });
  });

  return { app, executions: () => executions };
}
