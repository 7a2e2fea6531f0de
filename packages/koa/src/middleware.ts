/**
 * `idempotency(options)`: Koa middleware. It only translates — every decision (pass, replay, error,
 * run) is core's `Idempotency.handle()`. After the downstream middleware ran, `ctx.body` is turned into
 * the exact bytes Koa would send, the record is committed, then Koa sends those bytes.
 */
import { Readable } from 'node:stream';
import type { Context, Middleware } from 'koa';
import type { HttpResponse } from '@idem/core';
import { createMiddlewareSetup, guardAbandonedExecution, nodeRequestHeaders, unprotectedOutcome, type Execution } from '@idem/core/adapter';
import { MIDDLEWARE_OPTION_NAMES, type KoaIdempotencyOptions } from './options';
import type { IdempotencyOutcome, IdempotencyState } from './outcome';
import { readBody } from './request-body';
import { captureBody } from './response-body';
import { transactions } from './transaction';

export function idempotency<Ctx extends Context = Context>(options: KoaIdempotencyOptions<Ctx>): Middleware<IdempotencyState> {
  const { manager, markTooLarge, keyHeader, maxBodyBytes, maxResponseBytes, lockTtl } = createMiddlewareSetup<Ctx>(
    options,
    MIDDLEWARE_OPTION_NAMES,
  );

  return async function idempotencyMiddleware(context, next) {
    const ctx = context as unknown as Ctx & { state: { idempotency: IdempotencyOutcome } };
    ctx.state.idempotency = unprotectedOutcome();
    const body = await readBody(ctx, maxBodyBytes);
    // The client left mid-body: nobody is left to answer, and the handler never runs.
    if (body.kind === 'aborted') return;
    if (body.kind === 'too-large') markTooLarge(ctx);
    const decision = await manager.handle(
      {
        method: ctx.method,
        url: ctx.originalUrl,
        headers: nodeRequestHeaders(ctx.req, keyHeader),
        ...(body.body !== undefined ? { body: body.body } : {}),
        ...(body.parsedBody !== undefined ? { parsedBody: body.parsedBody } : {}),
        raw: ctx,
      },
      ctx,
    );
    // Core's outcome object: it updates `stored` once the record is written.
    ctx.state.idempotency = decision.outcome;
    if (decision.action === 'pass') {
      transactions.set(ctx, manager.passTransaction);
      return next();
    }
    if (decision.action === 'respond') return send(ctx, decision.response);
    transactions.set(ctx, decision.execution.transaction);
    await run(ctx, decision.execution, next);
  };

  async function run(
    ctx: Ctx & { state: { idempotency: IdempotencyOutcome } },
    execution: Execution,
    next: () => Promise<unknown>,
  ): Promise<void> {
    const guard = guardAbandonedExecution(execution, lockTtl);
    ctx.res.once('close', () => {
      if (!ctx.res.writableFinished) guard.clientGone();
    });
    let captured;
    try {
      await next();
      // The app wrote to ctx.res itself: there is no body to record, and a wrong record is worse than none.
      if (ctx.respond === false) throw new BypassedKoa();
      captured = await captureBody(ctx, maxResponseBytes);
    } catch (error) {
      // The handler threw (Koa's error handling answers): nothing is stored, a retry runs again.
      guard.settle();
      await execution.abort();
      if (error instanceof BypassedKoa) return;
      throw error;
    }
    guard.settle();
    const headers = { ...responseHeaders(ctx), ...captured.extraHeaders };
    const finished = await execution.finish({ status: ctx.status, headers, body: captured.bytes });
    // The handler's transaction was rolled back (lease lost, database failure): its answer is not sent.
    if (finished.response) return replaceResponse(ctx, captured.body, finished.response);
    if (captured.body !== ctx.body) replaceBody(ctx, captured.body);
  }
}

class BypassedKoa extends Error {}

/** Writes a response core decided on (a replay or a problem+json error). */
function send(ctx: Context, response: HttpResponse): void {
  ctx.status = response.status;
  ctx.set(response.headers);
  ctx.body = Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength);
}

/** Drops the handler's status, headers and body (a stream is destroyed) for core's answer. */
function replaceResponse(ctx: Context, dropped: unknown, response: HttpResponse): void {
  if (dropped instanceof Readable) dropped.destroy();
  for (const name of Object.keys(ctx.response.headers)) ctx.remove(name);
  send(ctx, response);
}

/** Swaps in the buffered copy of a body that could be read only once, keeping status and headers. */
function replaceBody(ctx: Context, body: unknown): void {
  const status = ctx.status;
  ctx.body = body;
  ctx.status = status;
}

function responseHeaders(ctx: Context): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(ctx.response.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return headers;
}
