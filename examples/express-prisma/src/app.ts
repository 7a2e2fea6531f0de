/**
 * A tiny orders API. `POST /orders` creates one order per Idempotency-Key: a retry with the same key
 * gets the first answer back (with `Idempotent-Replayed: true`) and never creates a second order. idem
 * records requests in the app's own database, through the app's own PrismaClient, and the order is
 * created through `idempotencyTransaction(req)`: in the same transaction as idem's record, so a handler
 * that fails (or lost its key to a retry) leaves no order behind.
 */
import express from 'express';
import { idempotency, idempotencyTransaction } from '@idem/express';
import { PrismaStore } from '@idem/prisma';
import type { Prisma } from './generated/prisma/client';
import type { AppPrisma } from './db';

export function createApp(prisma: AppPrisma): express.Express {
  const app = express();
  // idempotency() first: it reads the request body for the fingerprint and leaves it for express.json().
  app.use(idempotency({ store: new PrismaStore({ prisma }) }));
  app.use(express.json());
  app.post('/orders', async (req: express.Request, res: express.Response) => {
    const { product, quantity } = req.body ?? {};
    if (typeof product !== 'string' || !Number.isInteger(quantity) || quantity <= 0) {
      res.status(400).json({ error: 'send { "product": string, "quantity": positive whole number }' });
      return;
    }
    const order = await idempotencyTransaction(req)((tx: Prisma.TransactionClient) =>
      tx.order.create({ data: { product, quantity, createdAt: BigInt(Date.now()) } }),
    );
    res.status(201).json({ id: order.id, product: order.product, quantity: order.quantity });
  });
  return app;
}
