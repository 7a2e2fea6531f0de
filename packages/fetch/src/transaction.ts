/** `idempotencyTransaction(request)`: the handler's database transaction, committed with the record. */
import type { TransactionRunner } from '@idem/core';
import { requestTransactions } from '@idem/core/adapter';

export const transactions = requestTransactions<Request>('idempotencyTransaction(request)');

/**
 * The request's `transaction(work)` (the `Request` the protected handler was called with): `work` gets
 * your driver's own object (annotate it: `tx: PoolClient`) and its writes commit in one transaction with
 * the stored response, before the response is returned. On a request idem passes through (no key, a
 * GET), it commits as soon as `work` resolves.
 */
export function idempotencyTransaction(request: Request): TransactionRunner {
  return transactions.get(request);
}
