// What the Cloudflare README's samples leave to the reader: the Worker's app and bindings, and the
// app's own charge.
import type { Hono } from 'hono';

export declare const app: Hono<{ Bindings: { DB: D1Database } }>;
export declare const env: { IDEMPOTENCY: DurableObjectNamespace };
export declare function charge(body: unknown): Promise<{ id: string }>;
