/**
 * The request body for the fingerprint. The raw `Request` is read through a clone, so the handler (and
 * Hono's `c.req.json()`) still get it. When an earlier middleware (a validator) already consumed the
 * raw body, Hono kept it in its body cache: read the bytes from there.
 */
import type { Context } from 'hono';
import { readWebRequestBody, type WebBodyRead } from '@idem/core/adapter';

export async function readBody(c: Context, limit: number): Promise<WebBodyRead> {
  if (!c.req.raw.bodyUsed) return readWebRequestBody(c.req.raw, limit);
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  return bytes.byteLength > limit ? { kind: 'too-large' } : { kind: 'raw', bytes };
}
