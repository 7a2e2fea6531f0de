/**
 * A payments ledger. `POST /payments` books once per Idempotency-Key: the ledger entry is created
 * through `idempotencyTransaction(request)`, a Prisma interactive transaction client, so it commits in
 * the same transaction as idem's record, before the answer is sent. A retry gets the first answer back
 * (with `Idempotent-Replayed: true`) and books nothing; a handler that fails, or that lost its key to a
 * retry while it stalled, leaves no entry behind.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { idempotency, idempotencyTransaction } from '@idem/fastify';
import { PrismaStore } from '@idem/prisma';
import type { Prisma } from './generated/prisma/client';
import type { AppPrisma } from './db';

export async function createApp(prisma: AppPrisma): Promise<FastifyInstance> {
  const app = Fastify();
  // Every route is protected; the fingerprint uses the exact body bytes the JSON parser read.
  await app.register(idempotency, { store: new PrismaStore({ prisma }) });
  app.post<{ Body: { amount?: unknown } }>('/payments', async (request, reply) => {
    const amount = Number(request.body?.amount);
    if (!Number.isInteger(amount) || amount <= 0) return reply.code(400).send({ error: 'amount must be a positive whole number of cents' });
    const entry = await idempotencyTransaction(request)((tx: Prisma.TransactionClient) => tx.ledgerEntry.create({ data: { amount } }));
    return reply.code(201).send({ id: `pay_${entry.id}`, amount: entry.amount });
  });
  return app;
}
