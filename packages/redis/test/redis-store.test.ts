/** RedisStore's own options and behaviour, on the machine's Redis (the contract itself is in conformance.test.ts). */
import { randomBytes, randomUUID } from 'node:crypto';
import { ConfigurationError } from '@idem/core';
import { serviceAvailable, serviceUrls } from '@idem/testkit';
import { Redis } from 'ioredis';
import { RedisStore, SAFE_CLIENT_OPTIONS, type RedisClient } from '../src';
import { keyBytes } from '../src/key-bytes';
import { deleteKeysWithPrefix } from './support/cleanup';
import { startPaymentsApp } from './support/payments-app';

const LOCK = 5_000;
const TTL = 60_000;
const runPrefix = `idem-redis-store-${randomUUID().slice(0, 8)}:`;
const client = new Redis(serviceUrls.redis, { maxRetriesPerRequest: 1, lazyConnect: true });
client.on('error', () => {});
let available = false;
const ownedStores: RedisStore[] = [];

beforeAll(async () => {
  available = await serviceAvailable('Redis', async () => {
    await client.connect();
    await client.ping();
  });
});

afterAll(async () => {
  for (const store of ownedStores) await store.close();
  if (available) await deleteKeysWithPrefix(client, runPrefix);
  client.disconnect();
});

/** Runs the test body only when Redis is reachable. */
const live = (title: string, body: () => Promise<void>, timeout?: number) =>
  it(title, async () => {
    if (available) await body();
  }, timeout);

describe('RedisStore options', () => {
  it('needs a client or a url', () => {
    expect(() => new RedisStore({})).toThrow(ConfigurationError);
    expect(() => new RedisStore(undefined as unknown as { url: string })).toThrow(/`client`.*`url`/);
  });

  it('refuses both a client and a url', () => {
    expect(() => new RedisStore({ client, url: serviceUrls.redis })).toThrow(/either `client` or `url`/);
  });

  it('refuses an empty url, a non-ioredis client, a non-string prefix, and clientOptions without url', () => {
    expect(() => new RedisStore({ url: '' })).toThrow(/`url`/);
    expect(() => new RedisStore({ client: {} as RedisClient })).toThrow(/ioredis/);
    expect(() => new RedisStore({ client, prefix: 42 as unknown as string })).toThrow(/`prefix`/);
    expect(() => new RedisStore({ client, clientOptions: {} })).toThrow(/`clientOptions`/);
    expect(() => new RedisStore({ client, operationTimeout: -1 })).toThrow(/`operationTimeout`/);
    expect(() => new RedisStore({ client, operationTimeout: 1.5 })).toThrow(/`operationTimeout`/);
  });

  live('works with operationTimeout: 0 (no bound of its own)', async () => {
    const store = new RedisStore({ client, prefix: runPrefix, operationTimeout: 0 });
    const result = await store.acquire('no-bound', 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: Date.now() });
    expect(result.state).toBe('acquired');
  });

  it('gives a client created from `url` the safe defaults, which `clientOptions` can override', async () => {
    const store = new RedisStore({ url: serviceUrls.redis, clientOptions: { commandTimeout: 1234, lazyConnect: true } });
    ownedStores.push(store);
    const options = (store.client as Redis).options;
    expect(options.maxRetriesPerRequest).toBe(SAFE_CLIENT_OPTIONS.maxRetriesPerRequest);
    expect(options.connectTimeout).toBe(SAFE_CLIENT_OPTIONS.connectTimeout);
    expect(options.commandTimeout).toBe(1234);
  });

  live('uses the prefix `idem:` by default', async () => {
    const key = `${runPrefix}default-${randomUUID()}`;
    const store = new RedisStore({ client });
    try {
      await store.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: Date.now() });
      expect(await client.exists(`idem:${key}`)).toBe(1);
    } finally {
      await client.del(`idem:${key}`);
    }
  });

  live('puts every key under `prefix`', async () => {
    const prefix = `${runPrefix}custom:`;
    const store = new RedisStore({ client, prefix });
    await store.acquire('order-1', 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: Date.now() });
    expect(await client.hget(`${prefix}order-1`, 'status')).toBe('in_progress');
  });
});

describe('RedisStore client ownership', () => {
  live('never closes a client it was given', async () => {
    const store = new RedisStore({ client, prefix: runPrefix });
    await store.close();
    expect(client.status).toBe('ready');
    expect(await client.ping()).toBe('PONG');
  });

  live('closes the client it created from `url`', async () => {
    const store = new RedisStore({ url: serviceUrls.redis, prefix: runPrefix });
    await store.get('anything');
    await store.close();
    expect(store.client.status).toBe('end');
  });
});

describe('RedisStore records in Redis', () => {
  live('expires records natively with the ttl, relative to now', async () => {
    const store = new RedisStore({ client, prefix: runPrefix });
    // A `now` far from the server clock: expiry stays relative (ttl), never an absolute past instant.
    const now = Date.now() - 3_600_000;
    const first = await store.acquire('expiring', 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
    const pttl = await client.pttl(`${runPrefix}expiring`);
    expect(pttl).toBeGreaterThan(TTL - 2_000);
    expect(pttl).toBeLessThanOrEqual(TTL);
    if (first.state !== 'acquired') throw new Error('expected to acquire');
    await store.complete('expiring', first.token, new Uint8Array([1]), { ttlMs: 150, now });
    expect(await client.pttl(`${runPrefix}expiring`)).toBeLessThanOrEqual(150);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await client.exists(`${runPrefix}expiring`)).toBe(0);
  });

  live('keeps no token in a completed record and no request data at all', async () => {
    const store = new RedisStore({ client, prefix: runPrefix });
    const now = Date.now();
    const first = await store.acquire('fields', 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
    if (first.state !== 'acquired') throw new Error('expected to acquire');
    await store.complete('fields', first.token, new Uint8Array([1]), { ttlMs: TTL, now });
    expect(Object.keys(await client.hgetall(`${runPrefix}fields`)).sort()).toEqual(
      ['createdAt', 'expiresAt', 'fingerprint', 'lockExpiresAt', 'response', 'status'],
    );
  });

  live('keeps keys that differ only in a lone surrogate apart', async () => {
    const store = new RedisStore({ client, prefix: runPrefix });
    const now = Date.now();
    const a = await store.acquire('lone-\uD800', 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
    const b = await store.acquire('lone-\uD801', 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
    expect([a.state, b.state]).toEqual(['acquired', 'acquired']);
  });

  it('writes well-formed keys as plain UTF-8', () => {
    for (const text of ['plain', 'ünïcödé 日本語 🙂', "'; DROP --", '{tag}*?']) {
      expect(keyBytes(text).equals(Buffer.from(text, 'utf8'))).toBe(true);
    }
  });

  live('replays a 6 MiB binary response byte for byte through Express', async () => {
    const body = randomBytes(6 * 1024 * 1024);
    const store = new RedisStore({ client, prefix: runPrefix });
    const app = await startPaymentsApp({ store, maxResponseBytes: 16 * 1024 * 1024 }, (express) => {
      express.post('/statements', (_req, res) => {
        res.status(200).type('application/octet-stream').send(body);
      });
    });
    try {
      const first = await app.post('/statements', 'statement-1');
      const replay = await app.post('/statements', 'statement-1');
      expect(Buffer.from(await first.arrayBuffer()).equals(body)).toBe(true);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(Buffer.from(await replay.arrayBuffer()).equals(body)).toBe(true);
    } finally {
      await app.close();
    }
  }, 30_000);
});
