/**
 * A tiny payments API on Cloudflare Workers. `POST /payments` charges once per Idempotency-Key: a retry
 * with the same key gets the first answer back (with `Idempotent-Replayed: true`), from whichever edge
 * location it reaches, because every key's record lives in one Durable Object.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { idempotency, type IdempotencyEnv } from '@idem/hono';
import { DurableObjectStore, IdempotencyDurableObject, type DurableObjectNamespaceLike } from '@idem/cloudflare';

// The runtime instantiates the Durable Object class from the Worker's exports (see wrangler.toml).
export { IdempotencyDurableObject };

type Env = IdempotencyEnv & { Bindings: { IDEMPOTENCY: DurableObjectNamespaceLike } };

const app = new Hono<Env>();

// Bindings arrive with the first request: the middleware is built then, once per isolate.
let protect: MiddlewareHandler<Env> | undefined;
app.use((c, next) => (protect ??= idempotency<Env>({ store: new DurableObjectStore({ namespace: c.env.IDEMPOTENCY }) }))(c, next));

app.post('/payments', async (c) => {
  const body = (await c.req.json().catch(() => ({}))) as { amount?: unknown };
  const amount = Number(body.amount);
  if (!Number.isInteger(amount) || amount <= 0) return c.json({ error: 'amount must be a positive whole number of cents' }, 400);
  // A real app charges here; the id shows whether an answer is a replay of this very charge.
  return c.json({ id: `pay_${crypto.randomUUID()}`, amount }, 201);
});

export default app;
