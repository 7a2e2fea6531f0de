/**
 * `DurableObjectStore`: the idem store contract on Durable Objects. Each transition is one request to
 * the object that owns the key, which runs it alone (see `IdempotencyDurableObject`), so it is atomic
 * and fenced by the owner's token whatever the number of Workers and locations calling. Leases and
 * expiry run on the object's own clock (`clock: 'store'`), the one clock all those callers share.
 */
import {
  ConfigurationError,
  DEFAULT_PREFIX,
  toStorageError,
  type AcquireOptions,
  type AcquireResult,
  type IdempotencyRecord,
  type IdempotencyStore,
} from '@idem/core';
import type { DurableObjectNamespaceLike } from './bindings';
import type { StoreReply, StoreRequest } from './protocol';
import { storageId } from './storage-id';
import { decodeFrame, encodeFrame } from './wire';

export interface DurableObjectStoreOptions {
  /** The Durable Object namespace bound to `IdempotencyDurableObject` (`env.IDEMPOTENCY`). */
  namespace: DurableObjectNamespaceLike;
  /** Namespace for keys, so several apps can share one binding without seeing each other's keys. Default none. */
  prefix?: string;
  /**
   * Spread keys over this many objects instead of one object per key (the default). Fewer, busier
   * objects: each handles its shard's keys one transition at a time. Never change it on a live
   * deployment: keys would move to other objects and their records would no longer be found.
   */
  shards?: number;
}

type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;

export class DurableObjectStore implements IdempotencyStore {
  /** Leases and expiry run on the Durable Object's clock, not the calling Worker's `now`. */
  readonly clock = 'store' as const;
  private readonly namespace: DurableObjectNamespaceLike;
  private readonly prefix: string;
  private readonly shards: number | undefined;

  constructor(options: DurableObjectStoreOptions) {
    const { namespace, prefix = DEFAULT_PREFIX, shards } = options ?? ({} as DurableObjectStoreOptions);
    if (!namespace || typeof namespace.idFromName !== 'function' || typeof namespace.get !== 'function') {
      throw new ConfigurationError(
        '`namespace` is required: the Durable Object namespace bound to IdempotencyDurableObject (env.IDEMPOTENCY)',
      );
    }
    if (typeof prefix !== 'string') throw new ConfigurationError('`prefix` must be a string');
    if (shards !== undefined && (!Number.isSafeInteger(shards) || shards < 1))
      throw new ConfigurationError('`shards` must be a whole number ≥ 1');
    this.namespace = namespace;
    this.prefix = prefix;
    this.shards = shards;
  }

  async acquire(key: string, fingerprint: string, { lockTtlMs, ttlMs, now }: AcquireOptions): Promise<AcquireResult> {
    const { reply, bytes } = await this.send(key, { op: 'acquire', key, fingerprint, lockTtlMs, ttlMs, now });
    if (reply.token !== undefined) return { state: 'acquired', token: reply.token };
    const record = toRecord(reply, bytes);
    if (!record) throw toStorageError(new Error('the Durable Object answered acquire with neither a token nor a record'), 'acquire');
    return record.status === 'completed' ? { state: 'completed', record } : { state: 'in_progress', record };
  }

  async complete(key: string, token: string, response: Uint8Array, { ttlMs, now }: { ttlMs: number; now: number }): Promise<boolean> {
    return (await this.send(key, { op: 'complete', token, ttlMs, now }, response)).reply.ok === true;
  }

  async release(key: string, token: string): Promise<boolean> {
    return (await this.send(key, { op: 'release', token })).reply.ok === true;
  }

  async extend(key: string, token: string, { lockTtlMs, now }: { lockTtlMs: number; now: number }): Promise<boolean> {
    return (await this.send(key, { op: 'extend', token, lockTtlMs, now })).reply.ok === true;
  }

  /** The record while it is live on the object's clock; `now` is not consulted. */
  async get(key: string, options: { now?: number } = {}): Promise<IdempotencyRecord | undefined> {
    const { reply, bytes } = await this.send(key, { op: 'get', now: options.now ?? Date.now() });
    return toRecord(reply, bytes);
  }

  async delete(key: string): Promise<void> {
    await this.send(key, { op: 'delete' });
  }

  /** Nothing to release: the namespace binding belongs to the Worker. */
  async close(): Promise<void> {}

  private async send(key: string, request: Distribute<StoreRequest>, bytes?: Uint8Array) {
    try {
      const id = await storageId(this.prefix, key);
      const name = this.shards === undefined ? id : `shard:${Number.parseInt(id.slice(0, 12), 16) % this.shards}/${this.shards}`;
      const stub = this.namespace.get(this.namespace.idFromName(name));
      const answer = await stub.fetch('https://idempotency-durable-object/', {
        method: 'POST',
        body: encodeFrame({ ...request, id }, bytes),
      });
      if (!answer.ok) throw new Error(`HTTP ${answer.status}: ${await answer.text()}`);
      const { head: reply, bytes: replyBytes } = decodeFrame<StoreReply>(new Uint8Array(await answer.arrayBuffer()));
      return { reply, bytes: replyBytes };
    } catch (error) {
      throw toStorageError(error, `${request.op} (Durable Object)`);
    }
  }
}

function toRecord(reply: StoreReply, bytes: Uint8Array | undefined): IdempotencyRecord | undefined {
  if (!reply.record) return undefined;
  const record: IdempotencyRecord = { ...reply.record };
  if (record.status === 'completed') record.response = bytes ?? new Uint8Array();
  return record;
}
