/** `idempotencyTransaction(request)`: the handler's database transaction, committed with the record. */
import type { FastifyRequest } from 'fastify';
import type { TransactionRunner } from '@idem/core';
import { requestTransactions } from '@idem/core/adapter';

export const transactions = requestTransactions<FastifyRequest>('idempotencyTransaction(request)');

/**
 * The request's `transaction(work)`: `work` gets your driver's own object (annotate it: `tx: PoolClient`)
 * and its writes commit in one transaction with the stored response, before the response is sent. On a
 * request idem passes through (no key, a GET, a route opted out), it commits as soon as `work` resolves.
 */
export function idempotencyTransaction(request: FastifyRequest): TransactionRunner {
  return transactions.get(request);
}
