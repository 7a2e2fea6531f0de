/**
 * A Next.js-style route handler (`app/payments/route.ts`). `POST /payments` charges once per
 * Idempotency-Key: a retry with the same key gets the first answer back (with
 * `Idempotent-Replayed: true`) and never charges again.
 */
import { randomUUID } from 'node:crypto';
import { protect } from '../../idempotency';

let charges = 0;

export const POST = protect(async (request: Request) => {
  const body = (await request.json().catch(() => ({}))) as { amount?: unknown };
  const amount = Number(body.amount);
  if (!Number.isInteger(amount) || amount <= 0)
    return Response.json({ error: 'amount must be a positive whole number of cents' }, { status: 400 });
  charges++;
  return Response.json({ id: `pay_${randomUUID()}`, amount, charge: charges }, { status: 201 });
});
