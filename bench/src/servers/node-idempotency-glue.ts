/**
 * @node-idempotency/core publishes no Express middleware: this is the smallest glue its README
 * describes. `onRequest` before the handler (a stored response comes back, or an error for a
 * conflict / mismatch), `onResponse` with the handler's body and status before the answer is sent.
 */
import { type Idempotency, IdempotencyError, IdempotencyErrorCodes } from '@node-idempotency/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

interface StoredAnswer {
  body?: unknown;
  additional?: { status?: number; type?: string };
}

const STATUS_BY_CODE: Record<string, number> = {
  [IdempotencyErrorCodes.REQUEST_IN_PROGRESS]: 409,
  [IdempotencyErrorCodes.IDEMPOTENCY_FINGERPRINT_MISSMATCH]: 422,
};

export function nodeIdempotencyMiddleware(idempotency: Idempotency): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const request = { method: req.method, path: req.path, headers: req.headers, body: req.body as Record<string, unknown> };
    idempotency.onRequest(request).then(
      (stored: StoredAnswer | undefined) => {
        if (stored) {
          if (stored.additional?.type) res.type(stored.additional.type);
          res.status(stored.additional?.status ?? 200).send(stored.body);
          return;
        }
        const send = res.send.bind(res);
        res.send = (body?: unknown) => {
          const answer = { body, additional: { status: res.statusCode, type: res.get('content-type') } };
          idempotency.onResponse(request, answer).then(() => send(body), next);
          return res;
        };
        next();
      },
      (error: unknown) => {
        if (error instanceof IdempotencyError) res.status(STATUS_BY_CODE[error.code] ?? 400).json({ error: error.message });
        else next(error);
      },
    );
  };
}
