/**
 * The floor under idem on a given store: the same two round trips idem makes (the store's `acquire`,
 * then its `complete` before the response leaves), with nothing else around them — no fingerprint, no
 * header handling, no capture of arbitrary responses, no lease renewal, no failure paths. It is not a
 * correct idempotency layer (the correctness checks skip it); it is what any commit-before-send layer on
 * this store costs at least, so `idem ÷ floor` is the share of the store's limit idem reaches, and
 * `floor × bare` is the best ratio a layer with idem's guarantees could show on this store.
 */
import type { IdempotencyStore } from '@idem/core';
import type { RequestHandler, Response } from 'express';

const LEASE = { lockTtlMs: 30_000, ttlMs: 86_400_000 };

export function storeFloor(store: IdempotencyStore): RequestHandler {
  return (req, res, next) => {
    const key = req.get('idempotency-key');
    if (!key) return next();
    store.acquire(key, 'floor', { ...LEASE, now: Date.now() }).then((result) => {
      if (result.state === 'completed') return void res.status(201).type('json').end(result.record.response);
      if (result.state === 'in_progress') return void res.status(409).end();
      completeBeforeSend(res, store, key, result.token);
      next();
    }, next);
  };
}

/**
 * `res.json` commits the body as the record first, then lets Express send it exactly as the bare app
 * does (the same `send`: ETag, Content-Type, Content-Length), so the floor differs from bare by the
 * store's two calls only.
 */
function completeBeforeSend(res: Response, store: IdempotencyStore, key: string, token: string): void {
  res.json = (body: unknown) => {
    const text = JSON.stringify(body);
    store.complete(key, token, Buffer.from(text), { ttlMs: LEASE.ttlMs, now: Date.now() }).then(
      () => {
        if (!res.get('Content-Type')) res.type('json');
        res.send(text);
      },
      (error: unknown) => res.status(503).end(String(error)),
    );
    return res;
  };
}
