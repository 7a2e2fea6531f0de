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
  guardAbandonedExecution,
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

  async function handle(req: Req, res: ServerResponse, next: NextFunction): Promise<void> {
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
    transactions.set(req, decision.execution.transaction);
    runHandler(decision.execution, res, next);
  }

  function runHandler(execution: Execution, res: ServerResponse, next: NextFunction): void {
    const abandon = guardAbandonedExecution(execution, lockTtl);
    const capture = captureNodeResponse(res, maxResponseBytes, async (response) => {
      abandon.settle();
      const finished = await execution.finish(response);
      // The handler's transaction was rolled back (lease lost, database failure): its answer is not sent.
      return finished.response;
    });
    // `on`, not `once`: a response closes once, and `once` would wrap the listener in two more objects.
    res.on('close', () => {
      if (capture.uncommitted) abandon.clientGone();
    });
    try {
      next();
    } catch {
      // A plain node:http `next` threw (Express catches its own): nothing is stored, a retry runs again.
      abandon.settle();
      void execution.abort();
      if (capture.uncommitted && !res.headersSent) {
        res.statusCode = 500;
        res.end();
      }
    }
  }

  return function idempotencyMiddleware(req, res, next) {
    handle(req, res, next).catch((error: unknown) => {
      // Only a bug can land here (handle() answers every known failure): let the app's error path decide.
      if (!res.headersSent) next(error);
    });
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
