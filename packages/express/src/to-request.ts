/** Converts a node / Express request into core's framework-neutral request. */
import type { IncomingMessage } from 'node:http';
import type { Headers, IdempotencyRequest } from '@idem/core';
import type { BodyRead } from './request-body';

export function toIdempotencyRequest(req: IncomingMessage, body: BodyRead, keyHeader: string): IdempotencyRequest {
  const headers: Headers = { ...req.headers };
  // node joins a repeated header into one string; the key header keeps every value, so core can see a
  // key sent twice and reject it instead of using "a, b" as the key.
  const distinct = req.headersDistinct?.[keyHeader];
  if (distinct !== undefined && distinct.length > 1) headers[keyHeader] = distinct;
  return {
    method: req.method ?? 'GET',
    // Express strips the mount path from `url`; the fingerprint wants the path the client sent.
    url: (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/',
    headers,
    ...(body.kind === 'raw' ? { body: new Uint8Array(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength) } : {}),
    ...(body.kind === 'parsed' ? { parsedBody: body.value } : {}),
    raw: req,
  };
}
