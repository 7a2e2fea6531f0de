/**
 * The request body for the fingerprint. Nest's body parsers run before interceptors, so, best first:
 * the raw body Nest kept (`rawBody: true`), a raw parser's Buffer, the bytes of a body no parser read
 * (read and pushed back into the stream for the handler), or else the parsed body.
 */
import type { IdempotencyRequest } from '@idem/core';
import { readNodeRequestBody } from '@idem/core/adapter';
import { keptRawBody, nodeRequest, nodeResponse } from './platform';

export type NestBody = Pick<IdempotencyRequest, 'body' | 'parsedBody'> & { kind: 'ok' | 'too-large' | 'aborted' };

export async function readBody(request: object, response: object, limit: number): Promise<NestBody> {
  const kept = keptRawBody(request);
  if (kept) return kept.byteLength > limit ? { kind: 'too-large' } : { kind: 'ok', body: kept };
  const parsed = (request as { body?: unknown }).body;
  if (parsed instanceof Uint8Array) return parsed.byteLength > limit ? { kind: 'too-large' } : { kind: 'ok', body: parsed };
  const read = await readNodeRequestBody(nodeRequest(request), limit, nodeResponse(response));
  if (read.kind === 'raw') return { kind: 'ok', body: read.bytes };
  if (read.kind === 'consumed') return { kind: 'ok', parsedBody: parsed };
  return { kind: read.kind };
}
