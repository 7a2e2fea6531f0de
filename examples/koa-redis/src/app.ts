/**
 * A tiny payments API. `POST /payments` charges once per Idempotency-Key: a retry with the same key
 * gets the first answer back (with `Idempotent-Replayed: true`) and never charges again.
 */
import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import type { IdempotencyStore } from '@idem/core';
import { idempotency, type IdempotencyState } from '@idem/koa';

export function createApp(store: IdempotencyStore): Koa<IdempotencyState> {
  const app = new Koa<IdempotencyState>();
  let charges = 0;
  // idempotency() first: it reads the request body for the fingerprint and leaves it for the parser.
  app.use(idempotency({ store }));
  app.use(bodyParser());
  app.use((ctx) => {
    if (ctx.method !== 'POST' || ctx.path !== '/payments') return ctx.throw(404);
    const amount = Number((ctx.request.body as { amount?: unknown } | undefined)?.amount);
    if (!Number.isInteger(amount) || amount <= 0) {
      ctx.status = 400;
      ctx.body = { error: 'amount must be a positive whole number of cents' };
      return;
    }
    charges++;
    ctx.status = 201;
    ctx.body = { id: `pay_${randomUUID()}`, amount, charge: charges };
  });
  return app;
}
