/**
 * `idempotency(options)`: Express 4/5, Connect and plain node:http middleware. It only translates:
 * every decision (pass, replay, error, run) is core's `Idempotency.handle()`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createFingerprinter,
  DEFAULTS,
  Idempotency,
  PayloadTooLargeError,
  type Execution,
  type FingerprintFunction,
  type IdempotencyOptions,
} from '@idem/core';
import { MIDDLEWARE_OPTION_NAMES, resolveMaxBodyBytes, type ExpressIdempotencyOptions } from './options';
import { recordOutcome } from './outcome';
import { readRequestBody } from './request-body';
import { captureResponse } from './response-capture';
import { sendResponse } from './send-response';
import { toIdempotencyRequest } from './to-request';

export type NextFunction = (error?: unknown) => void;
export type IdempotencyMiddleware<Req extends IncomingMessage = IncomingMessage> = (req: Req, res: ServerResponse, next: NextFunction) => void;

export function idempotency<Req extends IncomingMessage = IncomingMessage>(options: ExpressIdempotencyOptions<Req>): IdempotencyMiddleware<Req> {
  const maxBodyBytes = resolveMaxBodyBytes(options as ExpressIdempotencyOptions<IncomingMessage>);
  const oversized = new WeakSet<object>();
  const manager = new Idempotency<Req>(withBodyLimit(options, oversized, maxBodyBytes), MIDDLEWARE_OPTION_NAMES);
  const keyHeader = (options.header ?? DEFAULTS.header).toLowerCase();
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULTS.maxResponseBytes;
  const lockTtl = options.lockTtl ?? DEFAULTS.lockTtl;

  async function handle(req: Req, res: ServerResponse, next: NextFunction): Promise<void> {
    const body = await readRequestBody(req, maxBodyBytes);
    if (body.kind === 'aborted') return;
    if (body.kind === 'too-large') oversized.add(req);
    const decision = await manager.handle(toIdempotencyRequest(req, body, keyHeader), req);
    if (decision.action === 'pass') return next();
    if (decision.action === 'respond') {
      recordOutcome(res, { replayed: decision.replayed });
      return sendResponse(res, decision.response);
    }
    runHandler(decision.execution, res, next);
  }

  function runHandler(execution: Execution, res: ServerResponse, next: NextFunction): void {
    let abandonTimer: ReturnType<typeof setTimeout> | undefined;
    const capture = captureResponse(res, maxResponseBytes, async (response) => {
      clearTimeout(abandonTimer);
      const { stored } = await execution.finish(response);
      recordOutcome(res, { stored });
    });
    // The client left before the handler ended. The handler may still be charging the card: releasing
    // now would let a retry run it a second time. Keep the lease; if the handler ends, its response is
    // recorded for the retry. If it never ends, give the key back after one lease period.
    res.once('close', () => {
      if (!capture.uncommitted) return;
      abandonTimer = setTimeout(() => {
        if (capture.uncommitted) void execution.abort();
      }, lockTtl);
      abandonTimer.unref?.();
    });
    try {
      next();
    } catch {
      // A plain node:http `next` threw (Express catches its own): nothing is stored, a retry runs again.
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

/**
 * A request whose body was too large to read cannot be fingerprinted: the fingerprint step answers 413
 * for it — so only protected requests are refused; `fingerprint: false` needs no body at all.
 */
function withBodyLimit<Req>(options: IdempotencyOptions<Req>, oversized: WeakSet<object>, limit: number): IdempotencyOptions<Req> {
  if (options.fingerprint === false) return options;
  const fingerprint: FingerprintFunction<Req> = createFingerprinter(options.fingerprint);
  return {
    ...options,
    fingerprint: (req, request) => {
      if (oversized.has(req as object)) throw new PayloadTooLargeError(limit);
      return fingerprint(req, request);
    },
  };
}
