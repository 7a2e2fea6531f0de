/**
 * The request body for the fingerprint, whether or not a body parser ran before the middleware:
 * - `@koa/bodyparser` (and koa-bodyparser) keep the raw text as `ctx.request.rawBody`: use its bytes;
 * - another parser consumed the stream: fingerprint the value it produced (`ctx.request.body`);
 * - no parser yet: read the raw bytes and push them back for the parser that runs later.
 */
import type { Context } from 'koa';
import type { IdempotencyRequest } from '@idem/core';
import { readNodeRequestBody } from '@idem/core/adapter';

export type KoaBody = Pick<IdempotencyRequest, 'body' | 'parsedBody'> & { kind: 'ok' | 'too-large' | 'aborted' };

interface ParsedKoaRequest {
  body?: unknown;
  rawBody?: unknown;
}

export async function readBody(ctx: Context, limit: number): Promise<KoaBody> {
  const parsed = ctx.request as unknown as ParsedKoaRequest;
  if (typeof parsed.rawBody === 'string') return { kind: 'ok', body: new TextEncoder().encode(parsed.rawBody) };
  if (parsed.body !== undefined) return { kind: 'ok', parsedBody: parsed.body };
  const read = await readNodeRequestBody(ctx.req, limit, ctx.res);
  if (read.kind === 'raw') return { kind: 'ok', body: read.bytes };
  if (read.kind === 'consumed') return { kind: 'ok', parsedBody: parsed.body };
  return { kind: read.kind };
}
