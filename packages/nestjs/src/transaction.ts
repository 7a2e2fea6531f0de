/** `idempotencyTransaction(req)`: the handler's database transaction, committed with the record. */
import type { TransactionRunner } from '@idem/core';
import { requestTransactions } from '@idem/core/adapter';

const transactions = requestTransactions<object>('idempotencyTransaction(req)');

/** Kept under the platform's request and the node:http request under it, like the outcome. */
export function exposeTransaction(request: object, runner: TransactionRunner): void {
  transactions.set(request, runner);
  const raw = (request as { raw?: unknown }).raw;
  if (typeof raw === 'object' && raw !== null) transactions.set(raw, runner);
}

/**
 * The request's `transaction(work)` (`@Req()` on either platform): `work` gets your driver's own object
 * (annotate it: `tx: PoolClient`) and its writes commit in one transaction with the stored response,
 * before the response is sent. On a request idem passes through (no key, a GET, a handler without
 * `@Idempotent()` when `protectAll` is off), it commits as soon as `work` resolves.
 */
export function idempotencyTransaction(req: object): TransactionRunner {
  return transactions.get(req);
}
