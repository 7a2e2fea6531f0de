/**
 * Failure behaviour on a redis-server this test owns: killed mid-run, then restarted on the same port;
 * a read-only replica; a flushed script cache. Jest itself fails a test on any unhandled rejection.
 */
import { randomUUID } from 'node:crypto';
import { StorageError } from '@idem/core';
import { servicesRequired } from '@idem/testkit';
import { Redis } from 'ioredis';
import { Redis as Redis5 } from 'ioredis5';
import { Redis as Iovalkey } from 'iovalkey';
import { createClient } from 'redis';
import { RedisStore, type SupportedClient } from '../src';
import { COMPLETE } from '../src/scripts';
import { startPaymentsApp, type PaymentsApp } from './support/payments-app';
import { redisServerInstalled, startRedisServer, type RedisServer } from './support/redis-server';

const installed = redisServerInstalled();
if (!installed) {
  if (servicesRequired()) throw new Error('redis-server is not installed; CI / IDEM_REQUIRE_SERVICES requires it');
  console.warn('\n  SKIPPED: redis-server is not installed, so the Redis fault tests cannot start their own server.\n');
}
const withServer = installed ? describe : describe.skip;

const LOCK = 5_000;
const TTL = 60_000;

withServer('RedisStore when Redis goes down and comes back', () => {
  let server: RedisServer;
  let store: RedisStore;
  let app: PaymentsApp;

  beforeAll(async () => {
    server = await startRedisServer();
    // A store-created client: it carries the safe defaults (fail fast instead of queueing forever).
    store = new RedisStore({ url: server.url });
    app = await startPaymentsApp({ store });
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await store?.close();
    await server?.stop();
  });

  it('answers 503 with Retry-After while Redis is down, without running the handler, then recovers on its own', async () => {
    const before = await app.post('/payments', 'before-crash');
    expect(before.status).toBe(201);
    expect(app.executions).toBe(1);

    await server.kill();
    const waits: number[] = [];
    for (const key of ['during-1', 'during-2', 'before-crash']) {
      const started = Date.now();
      const response = await app.post('/payments', key);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect((await response.json()).code).toBe('STORAGE_ERROR');
      // Bounded by the created client's safe options, never an endless wait.
      waits.push(Date.now() - started);
      expect(Date.now() - started).toBeLessThan(10_000);
    }
    console.log(`503 answered after ${waits.join(' / ')} ms with Redis down`);
    expect(app.executions).toBe(1);

    await server.restart();
    // The client reconnects by itself (no app restart); poll until the store answers again.
    const deadline = Date.now() + 15_000;
    let after = await app.post('/payments', 'after-restart');
    while (after.status === 503 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await app.post('/payments', 'after-restart');
    }
    expect(after.status).toBe(201);
    expect(app.executions).toBe(2);
    // The restarted server lost its script cache: this also went through the NOSCRIPT fallback.
    const replay = await app.post('/payments', 'after-restart');
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(app.executions).toBe(2);
  }, 60_000);

  it('rejects store calls with StorageError (keeping the cause) while Redis is down', async () => {
    await server.kill();
    try {
      const error = await store
        .acquire(`k-${randomUUID()}`, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: Date.now() })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).status).toBe(503);
      expect((error as StorageError).cause).toBeInstanceOf(Error);
      await expect(store.get('any')).rejects.toBeInstanceOf(StorageError);
      await expect(store.complete('any', 'token', new Uint8Array([1]), { ttlMs: TTL, now: Date.now() })).rejects.toBeInstanceOf(
        StorageError,
      );
    } finally {
      await server.restart();
      // Let the client reconnect before close(): ioredis leaves a 2 s timer behind when a client is
      // disconnected in the middle of its reconnection back-off.
      const deadline = Date.now() + 10_000;
      while (store.client.status !== 'ready' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 30_000);
});

/**
 * ioredis queues a command while it reconnects and fails it only when the next attempt fails, and the
 * attempts back off: ioredis 6 waits up to 5 s between them, so each request stalled that long before
 * its 503; node-redis queues it until it reconnects. The store fails at once instead, whichever client,
 * major and retry settings.
 */
interface OutageClient {
  store: RedisStore<SupportedClient>;
  /** Counts the client's reconnection attempts. */
  onReconnecting(listener: () => void): void;
  dispose(): Promise<void>;
}

const ioredisLike = (store: RedisStore<SupportedClient>, client: Redis): OutageClient => ({
  store,
  onReconnecting: (listener) => void client.on('reconnecting', listener),
  dispose: async () => {
    if (client.status !== 'end') client.disconnect();
  },
});

const outageClients: [string, (url: string) => Promise<OutageClient>][] = [
  [
    'a store-created client (ioredis 6)',
    async (url) => {
      const store = new RedisStore({ url });
      return ioredisLike(store, store.client as Redis);
    },
  ],
  [
    'your own ioredis 6 client with its defaults',
    async (url) => {
      const client = quiet(new Redis(url));
      return ioredisLike(new RedisStore({ client }), client);
    },
  ],
  [
    'your own ioredis 5 client with its defaults',
    async (url) => {
      const client = quiet(new Redis5(url)) as unknown as Redis;
      return ioredisLike(new RedisStore({ client }), client);
    },
  ],
  [
    'your own iovalkey client with its defaults',
    async (url) => {
      const client = quiet(new Iovalkey(url)) as unknown as Redis;
      return ioredisLike(new RedisStore({ client }), client);
    },
  ],
  [
    'your own node-redis 5 client with its defaults',
    async (url) => {
      const client = quiet(createClient({ url }));
      await client.connect();
      return {
        store: new RedisStore({ client }),
        onReconnecting: (listener) => void client.on('reconnecting', listener),
        dispose: async () => {
          if (client.isOpen) client.destroy();
        },
      };
    },
  ],
];

function quiet<T extends { on(event: 'error', listener: () => void): unknown }>(client: T): T {
  client.on('error', () => {});
  return client;
}

describe.each(outageClients)('RedisStore during a long outage, on %s', (_name, open) => {
  let server: RedisServer;
  let outage: OutageClient;
  let store: RedisStore<SupportedClient>;
  let app: PaymentsApp;

  beforeAll(async () => {
    if (!installed) return;
    server = await startRedisServer();
    outage = await open(server.url);
    store = outage.store;
    app = await startPaymentsApp({ store });
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await outage?.dispose();
    await server?.stop();
  });

  (installed ? it : it.skip)(
    'answers 503 at once however long Redis has been down, and recovers when it is back',
    async () => {
      expect((await app.post('/payments', 'before')).status).toBe(201);
      let attempts = 0;
      outage.onReconnecting(() => attempts++);
      await server.kill();
      // Six failed reconnection attempts: ioredis 6 now waits about 3 s before the next one, ioredis 5 0.35 s.
      while (attempts < 6) await new Promise((resolve) => setTimeout(resolve, 20));
      const waits: number[] = [];
      for (const key of ['during-1', 'during-2', 'during-3']) {
        const started = Date.now();
        const response = await app.post('/payments', key);
        waits.push(Date.now() - started);
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      }
      console.log(`503 after ${waits.join(' / ')} ms, ${attempts} reconnection attempts into the outage`);
      // Failing at once, not at the next reconnection attempt (seconds away): generous for a loaded machine.
      for (const wait of waits) expect(wait).toBeLessThan(1_000);
      expect(app.executions).toBe(1);
      await server.restart();
      const deadline = Date.now() + 20_000;
      let after = await app.post('/payments', 'after');
      while (after.status === 503 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        after = await app.post('/payments', 'after');
      }
      expect(after.status).toBe(201);
      expect(app.executions).toBe(2);
    },
    60_000,
  );
});

withServer('RedisStore on a server that stops answering', () => {
  let server: RedisServer;

  beforeAll(async () => {
    server = await startRedisServer();
  }, 30_000);

  afterAll(async () => {
    server?.resume();
    await server?.stop();
  });

  it('gives up after commandTimeout with a StorageError instead of hanging', async () => {
    const store = new RedisStore({ url: server.url, clientOptions: { commandTimeout: 300 } });
    try {
      await store.get('warm-up');
      server.pause();
      const started = Date.now();
      const error = await store.acquire('k', 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: Date.now() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as Error).message).toContain('timed out');
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      server.resume();
      await store.close();
    }
  });

  it('gives up after operationTimeout even when the client itself would wait forever', async () => {
    // A user client with no command timeout at all: the store's own bound still applies.
    const client = new Redis(server.url, { maxRetriesPerRequest: null });
    const store = new RedisStore({ client, operationTimeout: 300 });
    try {
      await store.get('warm-up');
      server.pause();
      const started = Date.now();
      const error = await store.get('k').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as Error).message).toContain('operationTimeout');
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      server.resume();
      client.disconnect();
    }
  });
});

withServer('RedisStore on a read-only replica and after SCRIPT FLUSH', () => {
  let primary: RedisServer;
  let replica: RedisServer;
  let admin: Redis;

  beforeAll(async () => {
    primary = await startRedisServer();
    replica = await startRedisServer({ extraArgs: ['--replicaof', '127.0.0.1', String(primary.port)] });
    admin = new Redis(primary.url);
  }, 30_000);

  afterAll(async () => {
    admin?.disconnect();
    await replica?.stop();
    await primary?.stop();
  });

  it('turns READONLY into a StorageError (so the middleware answers 503)', async () => {
    const store = new RedisStore({ url: replica.url });
    try {
      const error = await store.acquire('k', 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: Date.now() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as Error).message).toContain('READONLY');
      const app = await startPaymentsApp({ store });
      try {
        const response = await app.post('/payments', 'on-replica');
        expect(response.status).toBe(503);
        expect(app.executions).toBe(0);
      } finally {
        await app.close();
      }
    } finally {
      await store.close();
    }
  });

  it('falls back to EVAL when the server forgot the script (NOSCRIPT)', async () => {
    const store = new RedisStore({ client: admin, prefix: 'flush:' });
    const now = Date.now();
    const first = await store.acquire('a', 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
    expect(first.state).toBe('acquired');
    await admin.script('FLUSH');
    expect(await admin.script('EXISTS', COMPLETE.sha)).toEqual([0]);
    if (first.state !== 'acquired') return;
    expect(await store.complete('a', first.token, new Uint8Array([7]), { ttlMs: TTL, now })).toBe(true);
    // The fallback ran the script text, which cached it again for the next EVALSHA.
    expect(await admin.script('EXISTS', COMPLETE.sha)).toEqual([1]);
    const replay = await store.acquire('a', 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
    expect(replay.state === 'completed' && Array.from(replay.record.response ?? [])).toEqual([7]);
  });
});
