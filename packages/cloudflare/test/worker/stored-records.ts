/**
 * Whether a record is still physically in its Durable Object's storage, for the expiry test: on the
 * object's own clock an expired record is invisible to every operation, so only storage shows whether
 * the alarm deleted it. The test Worker exports this subclass under the package class's name; it
 * answers one extra path and is the package's object for everything else.
 */
import { IdempotencyDurableObject } from '../../src';
import type { DurableObjectNamespaceLike, DurableObjectStateLike, DurableObjectStorageLike } from '../../src';
import { storageId } from '../../src/storage-id';
import { TEST_SHARDS, type StoreKind } from './stores';

const STORED_PATH = '/__harness/stored';

export class InspectableDurableObject extends IdempotencyDurableObject {
  private readonly inspected: DurableObjectStorageLike;

  constructor(state: DurableObjectStateLike, env?: unknown) {
    super(state, env);
    this.inspected = state.storage;
  }

  override async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname !== STORED_PATH) return super.fetch(request);
    const id = await request.text();
    return Response.json({ stored: (await this.inspected.get(`m:${id}`)) !== undefined });
  }
}

/** `{ kind, prefix, key }` in, `{ stored }` out: the object is found as `DurableObjectStore` finds it. */
export async function handleStoredCall(request: Request, namespace: DurableObjectNamespaceLike): Promise<Response> {
  const { kind, prefix, key } = (await request.json()) as { kind: StoreKind; prefix: string; key: string };
  const id = await storageId(prefix, key);
  const name = kind === 'durable-object-sharded' ? `shard:${Number.parseInt(id.slice(0, 12), 16) % TEST_SHARDS}/${TEST_SHARDS}` : id;
  const answer = await namespace
    .get(namespace.idFromName(name))
    .fetch(`https://idempotency-durable-object${STORED_PATH}`, { method: 'POST', body: new TextEncoder().encode(id) });
  return new Response(await answer.text());
}
