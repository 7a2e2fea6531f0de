/**
 * `idempotency(options)`: a typed Hono middleware on the Web `Request` / `Response`, so it runs on
 * Node, Bun, Deno and Workers. It only translates: every decision is core's `Idempotency.handle()`.
 */
import type { Context, Env, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import {
  createMiddlewareSetup,
  fromWebRequest,
  guardAbandonedWebExecution,
  readWebResponse,
  toWebResponse,
  unprotectedOutcome,
  type Execution,
} from '@idem/core/adapter';
import { MIDDLEWARE_OPTION_NAMES, type HonoIdempotencyOptions } from './options';
import type { IdempotencyVariables } from './outcome';
import { readBody } from './request-body';
import { transactions } from './transaction';

/**
 * The app's Env (`new Hono<IdempotencyEnv>()`). `c.get('idempotency')` is optional in it: a request the
 * middleware did not run for (a path it is not mounted on) has no outcome, and the type says so. (One
 * Env for the app and the middleware keeps `MiddlewareHandler<Env>` assignable both ways.)
 */
export type IdempotencyEnv = { Variables: Partial<IdempotencyVariables> };

export function idempotency<E extends Env = Env>(options: HonoIdempotencyOptions<E>): MiddlewareHandler<E & IdempotencyEnv> {
  const { manager, markTooLarge, maxBodyBytes, maxResponseBytes, lockTtl } = createMiddlewareSetup<Context<E>>(
    options,
    MIDDLEWARE_OPTION_NAMES,
  );

  return createMiddleware<E & IdempotencyEnv>(async (c, next) => {
    c.set('idempotency', unprotectedOutcome());
    const body = await readBody(c, maxBodyBytes);
    // The client left mid-body: nobody reads this answer, and the handler never runs.
    if (body.kind === 'aborted') return c.body(null, 400);
    if (body.kind === 'too-large') markTooLarge(c as unknown as Context<E>);
    const neutral = fromWebRequest(c.req.raw, { body: body.kind === 'raw' ? body.bytes : undefined, raw: c });
    const decision = await manager.handle(neutral, c as unknown as Context<E>);
    // Core's outcome object: it updates `stored` once the record is written.
    c.set('idempotency', decision.outcome);
    if (decision.action === 'pass') {
      transactions.set(c, manager.passTransaction);
      return next();
    }
    if (decision.action === 'respond') return toWebResponse(decision.response);
    const { execution } = decision;
    transactions.set(c, execution.transaction);
    const guard = guardAbandonedWebExecution(execution, lockTtl, c.req.raw.signal);
    try {
      await next();
    } catch (error) {
      // Hono rethrows what its onError does not answer: a thrown non-Error, or an onError that threw
      // itself. Nothing is stored (the transaction rolls back), the key is given back, and Hono's own
      // error path answers.
      guard.settle();
      await execution.abort();
      throw error;
    }
    try {
      await commit(c, execution);
    } finally {
      // Kept until the record is written: a response body that never ends is a handler that never ends.
      guard.settle();
    }
  });

  /** Records the handler's response BEFORE Hono sends it, or releases the key when the handler threw. */
  async function commit(c: Context<E & IdempotencyEnv>, execution: Execution): Promise<void> {
    // Hono caught the handler's error and its onError built the response: nothing is stored.
    if (c.error) return execution.abort();
    let captured;
    try {
      captured = await readWebResponse(c.res, maxResponseBytes);
    } catch (error) {
      await execution.abort();
      throw error;
    }
    const finished = await execution.finish(captured.record);
    // Unset first: assigning over a response makes Hono merge the old headers into the new one.
    c.res = undefined;
    // The handler's transaction was rolled back (lease lost, database failure): its answer is not sent.
    if (finished.response) {
      void captured.response.body?.cancel().catch(() => undefined);
      c.res = toWebResponse(finished.response);
      return;
    }
    c.res = captured.response;
  }
}
