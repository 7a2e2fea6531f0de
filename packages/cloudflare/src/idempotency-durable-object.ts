/**
 * The Durable Object behind `DurableObjectStore`. Cloudflare runs exactly one instance of each object
 * worldwide, and this class runs one transition at a time (a promise queue), so read, decide and write
 * are atomic by construction: two duplicates can never both see "no record". The object keeps the
 * records of one key (or of one shard of keys) in its transactional storage and deletes them with an
 * alarm once they expire.
 *
 * Every lease and expiry decision is taken on this object's own clock (`Date.now()` here, at the start
 * of each transition), never on the `now` a Worker sends: the object is the one place every caller of a
 * key goes through, so its clock is the one clock they all share, and a Worker whose clock runs ahead
 * cannot take a live lease over early (`clock: 'store'`). The caller's `now` only stamps `createdAt`.
 *
 * Export it from your Worker and bind it (see the README): `export { IdempotencyDurableObject } from '@idem/cloudflare'`.
 */
import type { DurableObjectStateLike, DurableObjectStorageLike } from './bindings';
import type { RecordHead, StoreReply, StoreRequest } from './protocol';
import { decodeFrame, encodeFrame } from './wire';

/** What storage holds per record under `m:<id>`; the response sits in `chunks` values under `c:<id>:<n>`. */
interface StoredMeta extends RecordHead {
  token: string | null;
  chunks: number;
}

// Durable Object storage caps one value at 128 KiB (key-value backend); responses are split below that.
const CHUNK_BYTES = 128_000;
// At most 128 keys per put or delete call.
const KEYS_PER_CALL = 128;

const metaKey = (id: string) => `m:${id}`;
const chunkKeys = (id: string, chunks: number) => Array.from({ length: chunks }, (_, n) => `c:${id}:${n}`);

export class IdempotencyDurableObject {
  private readonly storage: DurableObjectStorageLike;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(state: DurableObjectStateLike, _env?: unknown) {
    this.storage = state.storage;
  }

  async fetch(request: Request): Promise<Response> {
    let frame;
    try {
      frame = decodeFrame<StoreRequest>(new Uint8Array(await request.arrayBuffer()));
    } catch (error) {
      return new Response(`idem: bad request to IdempotencyDurableObject: ${(error as Error).message}`, { status: 400 });
    }
    const { head, bytes } = frame;
    try {
      const { reply, bytes: replyBytes } = await this.serial(() => this.apply(head, bytes));
      return new Response(encodeFrame(reply, replyBytes));
    } catch (error) {
      return new Response(`idem: ${head.op} failed in IdempotencyDurableObject: ${(error as Error).message}`, { status: 500 });
    }
  }

  /** Deletes every record past its expiry, then schedules the next alarm for the earliest one left. */
  async alarm(): Promise<void> {
    await this.serial(async () => {
      const metas = await this.storage.list<StoredMeta>({ prefix: 'm:' });
      const now = Date.now();
      let next = Infinity;
      const doomed: string[] = [];
      for (const [key, meta] of metas) {
        if (meta.expiresAt <= now) doomed.push(key, ...chunkKeys(key.slice(2), meta.chunks));
        else next = Math.min(next, meta.expiresAt);
      }
      await this.deleteKeys(doomed);
      if (next !== Infinity) await this.storage.setAlarm(next);
    });
  }

  /** One transition at a time, whatever the runtime interleaves between awaits. */
  private serial<T>(transition: () => Promise<T>): Promise<T> {
    const result = this.queue.then(transition);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async apply(request: StoreRequest, bytes: Uint8Array | undefined): Promise<{ reply: StoreReply; bytes?: Uint8Array }> {
    // The object's clock, read once per transition: the caller's `now` decides nothing here.
    const now = Date.now();
    const meta = await this.storage.get<StoredMeta>(metaKey(request.id));
    switch (request.op) {
      case 'acquire': {
        const { id, key, fingerprint, lockTtlMs, ttlMs } = request;
        if (meta && !isStale(meta, now)) return this.answer(id, meta);
        const token = crypto.randomUUID();
        const lockExpiresAt = now + lockTtlMs;
        // A record never expires under its own lease (a ttl shorter than the lease is stretched to it).
        const fresh: StoredMeta = {
          key,
          fingerprint,
          status: 'in_progress',
          token,
          // The caller's `now` names the lease (a takeover's differs); it decides nothing.
          createdAt: request.now,
          expiresAt: Math.max(now + ttlMs, lockExpiresAt),
          lockExpiresAt,
          chunks: 0,
        };
        if (meta) await this.deleteKeys(chunkKeys(id, meta.chunks));
        await this.storage.put({ [metaKey(id)]: fresh });
        await this.scheduleExpiry(fresh.expiresAt);
        return { reply: { token } };
      }
      case 'complete': {
        const { id, token, ttlMs } = request;
        if (!meta || !isOwned(meta, token, now)) return { reply: { ok: false } };
        const response = bytes ?? new Uint8Array();
        const chunks = Math.ceil(response.length / CHUNK_BYTES);
        const done: StoredMeta = { ...meta, status: 'completed', token: null, expiresAt: now + ttlMs, chunks };
        const entries: Record<string, unknown> = {};
        chunkKeys(id, chunks).forEach((chunkKey, n) => {
          entries[chunkKey] = response.slice(n * CHUNK_BYTES, (n + 1) * CHUNK_BYTES);
        });
        // The record last, in the same batch: until it says completed, no reader looks at the chunks.
        entries[metaKey(id)] = done;
        await this.putEntries(entries);
        await this.scheduleExpiry(done.expiresAt);
        return { reply: { ok: true } };
      }
      case 'release': {
        // No expiry test: the token is what proves ownership.
        if (!meta || meta.status !== 'in_progress' || meta.token !== request.token) return { reply: { ok: false } };
        await this.deleteKeys([metaKey(request.id)]);
        return { reply: { ok: true } };
      }
      case 'extend': {
        const { id, token, lockTtlMs } = request;
        if (!meta || !isOwned(meta, token, now)) return { reply: { ok: false } };
        const lockExpiresAt = now + lockTtlMs;
        // A renewed lease keeps its record alive: the record lives at least as long as the lease.
        await this.storage.put({ [metaKey(id)]: { ...meta, lockExpiresAt, expiresAt: Math.max(meta.expiresAt, lockExpiresAt) } });
        return { reply: { ok: true } };
      }
      case 'get':
        return meta && meta.expiresAt > now ? this.answer(request.id, meta) : { reply: {} };
      case 'delete':
        if (meta) await this.deleteKeys([metaKey(request.id), ...chunkKeys(request.id, meta.chunks)]);
        return { reply: {} };
    }
  }

  /** The live record, with its response bytes once completed. */
  private async answer(id: string, meta: StoredMeta): Promise<{ reply: StoreReply; bytes?: Uint8Array }> {
    const record: RecordHead = {
      key: meta.key,
      fingerprint: meta.fingerprint,
      status: meta.status,
      createdAt: meta.createdAt,
      expiresAt: meta.expiresAt,
      lockExpiresAt: meta.lockExpiresAt,
    };
    if (meta.status !== 'completed') return { reply: { record } };
    return { reply: { record }, bytes: await this.readResponse(id, meta.chunks) };
  }

  private async readResponse(id: string, chunks: number): Promise<Uint8Array> {
    const keys = chunkKeys(id, chunks);
    const parts: Uint8Array[] = [];
    for (let start = 0; start < keys.length; start += KEYS_PER_CALL) {
      const batch = keys.slice(start, start + KEYS_PER_CALL);
      const values = await this.storage.get<Uint8Array>(batch);
      for (const key of batch) {
        const part = values.get(key);
        if (!part) throw new Error(`stored response is missing its part ${key}`);
        parts.push(part);
      }
    }
    const response = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
    let offset = 0;
    for (const part of parts) {
      response.set(part, offset);
      offset += part.length;
    }
    return response;
  }

  private async putEntries(entries: Record<string, unknown>): Promise<void> {
    const keys = Object.keys(entries);
    for (let start = 0; start < keys.length; start += KEYS_PER_CALL) {
      const batch: Record<string, unknown> = {};
      for (const key of keys.slice(start, start + KEYS_PER_CALL)) batch[key] = entries[key];
      await this.storage.put(batch);
    }
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += KEYS_PER_CALL) await this.storage.delete(keys.slice(start, start + KEYS_PER_CALL));
  }

  private async scheduleExpiry(expiresAt: number): Promise<void> {
    const current = await this.storage.getAlarm();
    if (current === null || current > expiresAt) await this.storage.setAlarm(expiresAt);
  }
}

/** Gone for every operation: expired, or pending with a lapsed lease (a crashed owner: taken over). */
function isStale(meta: StoredMeta, now: number): boolean {
  return meta.expiresAt <= now || (meta.status === 'in_progress' && meta.lockExpiresAt <= now);
}

/** The token still owns the lease: a lease past its lock expiry that nobody took over is still owned. */
function isOwned(meta: StoredMeta, token: string, now: number): boolean {
  return meta.status === 'in_progress' && meta.token === token && meta.expiresAt > now;
}
