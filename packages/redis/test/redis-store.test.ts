/** RedisStore's own options and behaviour, on the machine's Redis (the contract itself is in conformance.test.ts). */
import { randomBytes, randomUUID } from 'node:crypto';
import { ConfigurationError, IdempotencyRunner, StorageError } from '@idem/core';
import { serviceAvailable, serviceUrls } from '@idem/testkit';
import { Redis } from 'ioredis';
import { RedisStore, SAFE_CLIENT_OPTIONS, type RedisClient } from '../src';
import { keyBytes } from '../src/key-bytes';
import { deleteKeysWithPrefix } from './support/cleanup';
import { startPaymentsApp } from './support/payments-app';

const LOCK = 5_000;
const TTL = 60_000;
const runPrefix = `idem-redis-store-${randomUUID().slice(0, 8)}`;
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
  it(
    title,
    async () => {
      if (available) await body();
    },
    timeout,
  );

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
    const store = new RedisStore({
      url: serviceUrls.redis,
      clientOptions: { commandTimeout: 1234, enableAutoPipelining: false, lazyConnect: true },
    });
    ownedStores.push(store);
    const options = (store.client as Redis).options;
    expect(options.maxRetriesPerRequest).toBe(SAFE_CLIENT_OPTIONS.maxRetriesPerRequest);
    expect(options.connectTimeout).toBe(SAFE_CLIENT_OPTIONS.connectTimeout);
    expect(options.retryStrategy).toBe(SAFE_CLIENT_OPTIONS.retryStrategy);
    expect(options.commandTimeout).toBe(1234);
    expect(options.enableAutoPipelining).toBe(false);
    const defaults = new RedisStore({ url: serviceUrls.redis, clientOptions: { lazyConnect: true } });
    ownedStores.push(defaults);
    expect(defaults.client.options.enableAutoPipelining).toBe(true);
  });

  live('names records `idem:<key>` by default', async () => {
    const key = `${runPrefix}default-${randomUUID()}`;
    const store = new RedisStore({ client });
    try {
      await store.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: Date.now() });
      expect(await client.exists(`idem:${key}`)).toBe(1);
    } finally {
      await client.del(`idem:${key}`);
    }
  });

  live('names a request’s record readably: idem:<key>, idem:s=<scope>:<key> (the lookups docs/keys.md gives)', async () => {
    const store = new RedisStore({ client });
    const runner = new IdempotencyRunner({ store });
    const key = `${runPrefix}-k1`;
    try {
      await runner.run(key, () => 'plain');
      await runner.run(key, () => 'tenant', { scope: 'tenant-1' });
      await runner.run(key, () => 'empty scope', { scope: '' });
      expect(await client.exists(`idem:${key}`, `idem:s=tenant-1:${key}`, `idem:s=:${key}`)).toBe(3);
      expect(await client.pttl(`idem:${key}`)).toBeGreaterThan(0);
    } finally {
      await client.del(`idem:${key}`, `idem:s=tenant-1:${key}`, `idem:s=:${key}`);
    }
  });

  live('puts every key under `prefix`', async () => {
    const prefix = `${runPrefix}-custom`;
    const store = new RedisStore({ client, prefix });
    await store.acquire('order-1', 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: Date.now() });
    expect(await client.type(`${prefix}:order-1`)).toBe('string');
  });
});

describe('RedisStore on an auto-pipelining client', () => {
  const pipelining = new Redis(serviceUrls.redis, { maxRetriesPerRequest: 1, enableAutoPipelining: true, lazyConnect: true });
  pipelining.on('error', () => {});
  afterAll(() => pipelining.disconnect());

  live('runs every transition, and the commands of concurrent requests share socket writes', async () => {
    await pipelining.connect();
    const store = new RedisStore({ client: pipelining, prefix: runPrefix });
    const socket = (pipelining as unknown as { stream: { write: (...args: unknown[]) => boolean } }).stream;
    const write = socket.write;
    let writes = 0;
    socket.write = function (this: unknown, ...args: unknown[]) {
      writes++;
      return write.apply(this, args);
    };
    try {
      const now = Date.now();
      const keys = Array.from({ length: 50 }, (_, i) => `pipelined-${i}`);
      const acquired = await Promise.all(keys.map((key) => store.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now })));
      const tokens = acquired.map((result) => (result.state === 'acquired' ? result.token : ''));
      expect(tokens.every(Boolean)).toBe(true);
      expect(await Promise.all(keys.map((key, i) => store.extend(key, tokens[i]!, { lockTtlMs: LOCK, now })))).toEqual(
        keys.map(() => true),
      );
      expect(await Promise.all(keys.map((key, i) => store.complete(key, tokens[i]!, Buffer.from(key), { ttlMs: TTL, now })))).toEqual(
        keys.map(() => true),
      );
      const replays = await Promise.all(keys.map((key) => store.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now })));
      expect(replays.map((r) => r.state === 'completed' && Buffer.from(r.record.response ?? []).toString())).toEqual(keys);
      expect(await store.release(keys[0]!, tokens[0]!)).toBe(false);
      expect((await store.get(keys[1]!))?.status).toBe('completed');
      // 4 rounds of 50 concurrent commands: each round goes out in a few writes, not 50.
      expect(writes).toBeLessThan(4 * 5 + 5);
    } finally {
      socket.write = write;
    }
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
  live('a pending record expires with its lease on the Redis clock, a completed one ttl after completion', async () => {
    const store = new RedisStore({ client, prefix: runPrefix });
    // A `now` far from the server clock: key expiry stays relative, never an absolute past instant.
    const now = Date.now() - 3_600_000;
    const first = await store.acquire('expiring', 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
    const pttl = await client.pttl(`${runPrefix}:expiring`);
    expect(pttl).toBeGreaterThan(LOCK - 2_000);
    expect(pttl).toBeLessThanOrEqual(LOCK);
    if (first.state !== 'acquired') throw new Error('expected to acquire');
    expect(await store.extend('expiring', first.token, { lockTtlMs: 2 * LOCK, now }));
    expect(await client.pttl(`${runPrefix}:expiring`)).toBeGreaterThan(LOCK);
    await store.complete('expiring', first.token, new Uint8Array([1]), { ttlMs: 150, now });
    expect(await client.pttl(`${runPrefix}:expiring`)).toBeLessThanOrEqual(150);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await client.exists(`${runPrefix}:expiring`)).toBe(0);
  });

  live('a crashed owner’s lease is gone from Redis after lockTtl, so the next acquire takes over in one command', async () => {
    const store = new RedisStore({ client, prefix: runPrefix });
    const crashed = await store.acquire('crashed', 'fp', { lockTtlMs: 100, ttlMs: TTL, now: Date.now() });
    expect(crashed.state).toBe('acquired');
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await client.exists(`${runPrefix}:crashed`)).toBe(0);
    const next = await store.acquire('crashed', 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: Date.now() });
    expect(next.state).toBe('acquired');
  });

  live('stores one string per key: status, token, times, fingerprint and response, no request data', async () => {
    const store = new RedisStore({ client, prefix: runPrefix });
    const now = 1_700_000_000_000;
    const first = await store.acquire('fields', 'fp-1', { lockTtlMs: LOCK, ttlMs: TTL, now });
    if (first.state !== 'acquired') throw new Error('expected to acquire');
    const times = (lock: number, expires: number) =>
      `${String(lock).padStart(16, '0')}${String(expires).padStart(16, '0')}${String(now).padStart(16, '0')}00000004fp-1`;
    expect(await client.get(`${runPrefix}:fields`)).toBe(`P${first.token}${times(now + LOCK, now + TTL)}`);
    await store.complete('fields', first.token, new TextEncoder().encode('resp'), { ttlMs: TTL, now: now + 10 });
    expect(await client.get(`${runPrefix}:fields`)).toBe(`C${first.token}${times(now + LOCK, now + 10 + TTL)}resp`);
  });

  live('turns a value that is not an idempotency record into a StorageError', async () => {
    const store = new RedisStore({ client, prefix: runPrefix });
    await client.set(`${runPrefix}:foreign`, 'not a record');
    await expect(store.acquire('foreign', 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: Date.now() })).rejects.toBeInstanceOf(StorageError);
    await expect(store.get('foreign')).rejects.toThrow(/Malformed/);
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

  live(
    'replays a 6 MiB binary response byte for byte through Express',
    async () => {
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
    },
    30_000,
  );
});

describe('RedisStore on a server without SET NX GET (Redis < 7.0)', () => {
  /** The machine's Redis, answering the combined SET as a 6.x server does; every other command passes through. */
  function olderServer(): { client: Redis; sets: () => number } {
    const real = new Redis(serviceUrls.redis, { maxRetriesPerRequest: 1 });
    real.on('error', () => {});
    let sets = 0;
    const client = new Proxy(real, {
      get(target, name, receiver) {
        if (name === 'setBuffer')
          return async () => {
            sets++;
            throw new Error('ERR syntax error');
          };
        const value = Reflect.get(target, name, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    return { client, sets: () => sets };
  }

  live('asks the native command once, then acquires through the script, with the same answers', async () => {
    const { client, sets } = olderServer();
    const store = new RedisStore({ client, prefix: `${runPrefix}-older` });
    try {
      const options = { lockTtlMs: LOCK, ttlMs: TTL, now: Date.now() };
      const first = await store.acquire('k', 'fp', options);
      expect(first.state).toBe('acquired');
      expect((await store.acquire('k', 'fp', options)).state).toBe('in_progress');
      await store.complete('k', (first as { token: string }).token, new TextEncoder().encode('done'), options);
      const replay = await store.acquire('k', 'fp', options);
      expect(replay.state).toBe('completed');
      expect(new TextDecoder().decode((replay as { record: { response: Uint8Array } }).record.response)).toBe('done');
      expect(sets()).toBe(1);
    } finally {
      await store.close();
      client.disconnect();
    }
  });
});
