/** `idempotencyTransaction(ctx)`: the handler's database transaction, committed with the record. */
import type { Context } from 'koa';
import type { TransactionRunner } from '@idem/core';
import { requestTransactions } from '@idem/core/adapter';

export const transactions = requestTransactions<Context>('idempotencyTransaction(ctx)');

/**
 * The request's `transaction(work)`: `work` gets your driver's own object (annotate it: `tx: PoolClient`)
 * and its writes commit in one transaction with the stored response, before the response is sent. On a
 * request idem passes through (no key, a GET), it commits as soon as `work` resolves.
 */
export function idempotencyTransaction(ctx: Context): TransactionRunner {
  return transactions.get(ctx);
}
