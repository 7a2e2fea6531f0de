/**
 * `idempotency(options)` returns `protect(handler)` for Web `Request -> Response` handlers: Next.js route
 * handlers, `Bun.serve`, `Deno.serve`, Cloudflare Workers. It only translates: every decision (pass,
 * replay, error, run) is core's `Idempotency.handle()`.
 */
import type { IdempotencyOutcome } from '@idem/core';
import {
  createMiddlewareSetup,
  fromWebRequest,
  guardAbandonedWebExecution,
  readWebRequestBody,
  readWebResponse,
  toWebResponse,
  type Execution,
} from '@idem/core/adapter';
import { WRAPPER_OPTION_NAMES, type FetchIdempotencyOptions } from './options';
import { recordOutcome } from './outcome';
import { transactions } from './transaction';

/** A Web handler; extra arguments (Next.js' `{ params }`, Bun's `server`, Workers' `env, ctx`) pass through. */
export type FetchHandler<Req extends Request = Request, Args extends unknown[] = unknown[]> = (
  request: Req,
  ...args: Args
) => Response | Promise<Response>;

export type Protect<Req extends Request> = <Args extends unknown[]>(
  handler: FetchHandler<Req, Args>,
) => (request: Req, ...args: Args) => Promise<Response>;

export function idempotency<Req extends Request = Request>(options: FetchIdempotencyOptions<Req>): Protect<Req> {
  const { manager, markTooLarge, maxBodyBytes, maxResponseBytes, lockTtl } = createMiddlewareSetup<Req>(options, WRAPPER_OPTION_NAMES);

  return (handler) =>
    async function idempotentHandler(request, ...args) {
      const body = await readWebRequestBody(request, maxBodyBytes);
      // The client left mid-body: nobody reads this answer, and the handler never runs.
      if (body.kind === 'aborted') return new Response(null, { status: 400 });
      if (body.kind === 'too-large') markTooLarge(request);
      const neutral = fromWebRequest(request, { body: body.kind === 'raw' ? body.bytes : undefined });
      const decision = await manager.handle(neutral, request);
      if (decision.action === 'pass') {
        transactions.set(request, manager.passTransaction);
        return recordOutcome(await handler(request, ...args), decision.outcome);
      }
      if (decision.action === 'respond') return recordOutcome(toWebResponse(decision.response), decision.outcome);
      transactions.set(request, decision.execution.transaction);
      return run(decision.execution, decision.outcome, request.signal, () => handler(request, ...args));
    };

  /** Runs the handler, commits its response BEFORE returning it, and releases the key if it failed. */
  async function run(
    execution: Execution,
    outcome: IdempotencyOutcome,
    signal: AbortSignal | undefined,
    call: () => Response | Promise<Response>,
  ): Promise<Response> {
    // A handler that never ends is given up one lease period after its client left (the request's signal aborted).
    const guard = guardAbandonedWebExecution(execution, lockTtl, signal);
    try {
      let captured;
      try {
        captured = await readWebResponse(await call(), maxResponseBytes);
      } catch (error) {
        // The handler (or its body stream) threw or rejected, whatever it threw: nothing is stored, a retry runs again.
        await execution.abort();
        throw error;
      }
      const finished = await execution.finish(captured.record);
      // The handler's transaction was rolled back (lease lost, database failure): its answer is not sent.
      if (finished.response) {
        void captured.response.body?.cancel().catch(() => undefined);
        return recordOutcome(toWebResponse(finished.response), outcome);
      }
      return recordOutcome(captured.response, outcome);
    } finally {
      guard.settle();
    }
  }
}
