/**
 * Compile-only: the runtime's own binding types (from @cloudflare/workers-types) fit the store options,
 * so `new DurableObjectStore({ namespace: env.IDEMPOTENCY })` and `new D1Store({ database: env.DB })`
 * type-check in a Worker, and the Durable Object class can be exported as the runtime instantiates it.
 */
import type { D1Database, DurableObjectNamespace, DurableObjectState } from '@cloudflare/workers-types/latest';
import { D1Store, DurableObjectStore, IdempotencyDurableObject } from '../../src';

declare const env: { IDEMPOTENCY: DurableObjectNamespace; DB: D1Database };
declare const state: DurableObjectState;

export const stores = [
  new DurableObjectStore({ namespace: env.IDEMPOTENCY, prefix: 'billing:', shards: 4 }),
  new D1Store({ database: env.DB, table: 'idempotency_keys', prefix: 'billing:' }),
];
export const object = new IdempotencyDurableObject(state, env);
