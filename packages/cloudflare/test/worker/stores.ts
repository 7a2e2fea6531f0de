/** The stores under test, built inside the Worker on its real bindings, one per (kind, prefix). */
import type { IdempotencyStore } from '@idem/core';
import { D1Store, DurableObjectStore } from '../../src';
import type { D1DatabaseLike, DurableObjectNamespaceLike } from '../../src';

export type StoreKind = 'durable-object' | 'durable-object-sharded' | 'd1';

export interface StoreEnv {
  IDEMPOTENCY: DurableObjectNamespaceLike;
  DB: D1DatabaseLike;
}

/** How many objects the sharded variant spreads keys over. */
export const TEST_SHARDS = 4;

const stores = new Map<string, Promise<IdempotencyStore>>();

export function storeFor(env: StoreEnv, kind: StoreKind, prefix: string): Promise<IdempotencyStore> {
  const id = `${kind}\u0000${prefix}`;
  let store = stores.get(id);
  if (!store) {
    store = create(env, kind, prefix);
    stores.set(id, store);
    store.catch(() => stores.delete(id));
  }
  return store;
}

async function create(env: StoreEnv, kind: StoreKind, prefix: string): Promise<IdempotencyStore> {
  if (kind === 'durable-object') return new DurableObjectStore({ namespace: env.IDEMPOTENCY, prefix });
  if (kind === 'durable-object-sharded') return new DurableObjectStore({ namespace: env.IDEMPOTENCY, prefix, shards: TEST_SHARDS });
  const store = new D1Store({ database: env.DB, prefix });
  await store.migrate();
  return store;
}
