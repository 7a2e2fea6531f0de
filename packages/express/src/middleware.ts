/**
 * `idempotency(options)`: Express 4/5, Connect and plain node:http middleware. It only translates:
 * every decision (pass, replay, error, run) is core's `Idempotency.handle()`, and the node request and
 * response plumbing is core's, shared with the Fastify, Koa and Nest adapters.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IdempotencyRequest } from '@idem/core';
import {
  captureNodeResponse,
  createMiddlewareSetup,
  GuardedNodeExecution,
  nodeRequestHeaders,
  readNodeRequestBodyNow,
  sendNodeResponse,
  type Execution,
  type NodeBodyRead,
} from '@idem/core/adapter';
import { MIDDLEWARE_OPTION_NAMES, type ExpressIdempotencyOptions } from './options';
import { recordOutcome } from './outcome';
import { transactions } from './transaction';

export type NextFunction = (error?: unknown) => void;
export type IdempotencyMiddleware<Req extends IncomingMessage = IncomingMessage> = (
  req: Req,
  res: ServerResponse,
  next: NextFunction,
) => void;

interface ExpressRequest extends IncomingMessage {
  /** Set by Express: the URL before mount paths were stripped. */
  originalUrl?: string;
  /** Set by a body parser that ran before the middleware. */
  body?: unknown;
}

export function idempotency<Req extends IncomingMessage = IncomingMessage>(
  options: ExpressIdempotencyOptions<Req>,
): IdempotencyMiddleware<Req> {
  const { manager, markTooLarge, keyHeader, maxBodyBytes, maxResponseBytes, lockTtl } = createMiddlewareSetup<Req>(
    options,
    MIDDLEWARE_OPTION_NAMES,
  );

  // Answers every request itself, never rejecting: no `.catch` (a promise and a closure) per request.
  async function handle(req: Req, res: ServerResponse, next: NextFunction): Promise<void> {
    try {
      // Awaited only when the body is really read here (no parser ran first): every await allocates.
      let body = readNodeRequestBodyNow(req, maxBodyBytes, res);
      if (body instanceof Promise) body = await body;
      if (body.kind === 'aborted') return;
      if (body.kind === 'too-large') markTooLarge(req);
      const decision = await manager.handle(toIdempotencyRequest(req, body, keyHeader), req);
      recordOutcome(res, decision.outcome);
      if (decision.action === 'pass') {
        transactions.set(req, manager.passTransaction);
        return next();
      }
      if (decision.action === 'respond') return sendNodeResponse(res, decision.response);
      // The execution itself, not its `transaction`: the runner is built only if the app asks for it.
      transactions.set(req, decision.execution);
      runHandler(decision.execution, res, next);
    } catch (error) {
      // Only a bug can land here (manager.handle() answers every known failure): the app's error path decides.
      if (!res.headersSent) next(error);
    }
  }

  function runHandler(execution: Execution, res: ServerResponse, next: NextFunction): void {
    const guarded = new GuardedNodeExecution(execution, lockTtl);
    const capture = captureNodeResponse(res, maxResponseBytes, guarded);
    try {
      next();
    } catch {
      // A plain node:http `next` threw (Express catches its own): nothing is stored, a retry runs again.
      guarded.settle();
      void execution.abort();
      if (capture.uncommitted && !res.headersSent) {
        res.statusCode = 500;
        res.end();
      }
    }
  }

  return function idempotencyMiddleware(req, res, next) {
    void handle(req, res, next);
  };
}

/** The neutral request: the raw body when we read it, else what a body parser produced. */
function toIdempotencyRequest(req: ExpressRequest, body: NodeBodyRead, keyHeader: string): IdempotencyRequest {
  return {
    method: req.method ?? 'GET',
    // Express strips the mount path from `url`; the fingerprint wants the path the client sent.
    url: req.originalUrl ?? req.url ?? '/',
    headers: nodeRequestHeaders(req, keyHeader),
    ...(body.kind === 'raw' ? { body: body.bytes } : { parsedBody: req.body }),
    raw: req,
  };
}
