/**
 * A tiny payments API. `POST /payments` charges once per Idempotency-Key: a retry with the same key
 * gets the first answer back (with `Idempotent-Replayed: true`) and never charges again.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { IdempotencyStore } from '@idem/core';
import { idempotency } from '@idem/fastify';

export async function createApp(store: IdempotencyStore): Promise<FastifyInstance> {
  const app = Fastify();
  let charges = 0;
  // Every route is protected; the fingerprint uses the exact body bytes the JSON parser read.
  await app.register(idempotency, { store });
  app.post<{ Body: { amount?: unknown } }>('/payments', async (request, reply) => {
    const amount = Number(request.body?.amount);
    if (!Number.isInteger(amount) || amount <= 0) return reply.code(400).send({ error: 'amount must be a positive whole number of cents' });
    charges++;
    return reply.code(201).send({ id: `pay_${randomUUID()}`, amount, charge: charges });
  });
  return app;
}
