/**
 * `idempotency(options)`: a typed Hono middleware on the Web `Request` / `Response`, so it runs on
 * Node, Bun, Deno and Workers. It only translates: every decision is core's `Idempotency.handle()`.
 */
import type { Context, Env, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import {
  createMiddlewareSetup,
  fromWebRequest,
  readWebResponse,
  toWebResponse,
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
  const { manager, markTooLarge, keyHeader, maxBodyBytes, maxResponseBytes } = createMiddlewareSetup<Context<E>>(options, MIDDLEWARE_OPTION_NAMES);

  return createMiddleware<E & IdempotencyEnv>(async (c, next) => {
    c.set('idempotency', { protected: false, replayed: false, stored: false });
    const body = await readBody(c, maxBodyBytes);
    // The client left mid-body: nobody reads this answer, and the handler never runs.
    if (body.kind === 'aborted') return c.body(null, 400);
    if (body.kind === 'too-large') markTooLarge(c as unknown as Context<E>);
    const neutral = fromWebRequest(c.req.raw, { keyHeader, body: body.kind === 'raw' ? body.bytes : undefined, raw: c });
    const decision = await manager.handle(neutral, c as unknown as Context<E>);
    if (decision.action === 'pass') {
      transactions.set(c, manager.passTransaction);
      return next();
    }
    if (decision.action === 'respond') {
      c.set('idempotency', { protected: true, replayed: decision.outcome.replayed, stored: false });
      return toWebResponse(decision.response);
    }
    c.set('idempotency', { protected: decision.execution.protected, replayed: false, stored: false });
    transactions.set(c, decision.execution.transaction);
    try {
      await next();
    } catch (error) {
      // What Hono does not catch itself (a thrown non-Error): roll back and release, then let it go on.
      await decision.execution.abort();
      throw error;
    }
    await commit(c, decision.execution);
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
    c.set('idempotency', { protected: execution.protected, replayed: false, stored: finished.stored });
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
