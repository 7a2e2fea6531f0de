/**
 * Where a middleware without a per-request state object of its framework (node:http / Express, Nest,
 * Web handlers) keeps each request's `transaction(work)` for the app to look up. A WeakMap, not a
 * property on the request: adding one to a request whose prototype the framework replaced costs V8 a
 * new hidden class per request.
 */
import { ConfigurationError } from './errors';
import type { TransactionRunner } from './transaction';

/** A request's runner, or what holds it (an execution builds its runner only when first asked). */
export type TransactionSource = TransactionRunner | { readonly transaction: TransactionRunner };

export interface RequestTransactions<Request extends object> {
  set(request: Request, source: TransactionSource): void;
  /** The request's runner; throws ConfigurationError for a request the middleware never saw. */
  get(request: Request): TransactionRunner;
}

/** `accessor` names the app's call in the error, e.g. `idempotencyTransaction(req)`. */
export function requestTransactions<Request extends object>(accessor: string): RequestTransactions<Request> {
  const sources = new WeakMap<Request, TransactionSource>();
  return {
    set: (request, source) => void sources.set(request, source),
    get(request) {
      const source = sources.get(request);
      if (!source)
        throw new ConfigurationError(
          `${accessor} was called for a request the idempotency middleware did not handle (is it mounted before this handler?)`,
        );
      return typeof source === 'function' ? source : source.transaction;
    },
  };
}
