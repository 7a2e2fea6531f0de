/** `idempotencyTransaction(req)`: the handler's database transaction, committed with the record. */
import type { IncomingMessage } from 'node:http';
import type { TransactionRunner } from '@idem/core';
import { requestTransactions } from '@idem/core/adapter';

export const transactions = requestTransactions<IncomingMessage>('idempotencyTransaction(req)');

/**
 * The request's `transaction(work)`: `work` gets your driver's own object (annotate it: `tx: PoolClient`)
 * and its writes commit in one transaction with the stored response, before the response is sent. On a
 * request idem passes through (no key, a GET), the transaction commits as soon as `work` resolves.
 */
export function idempotencyTransaction(req: IncomingMessage): TransactionRunner {
  return transactions.get(req);
}
