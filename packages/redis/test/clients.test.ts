/**
 * The shared store contract through each client the store takes, on the machine's Redis: iovalkey and
 * node-redis 5 here (ioredis in conformance.test.ts), plus what differs between clients: a value
 * written by one is read back byte for byte by the others, and a non-client is refused by name.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ConfigurationError } from '@idem/core';
import { serviceAvailable, serviceUrls, storeConformanceSuite } from '@idem/testkit';
import { Redis } from 'ioredis';
import { RedisStore } from '../src';
import { deleteKeysWithPrefix } from './support/cleanup';
import { CLIENT_NAMES, openClient, type ClientName, type OpenedClient } from './support/clients';

const runPrefix = `idem-redis-clients-${randomUUID().slice(0, 8)}`;
const admin = new Redis(serviceUrls.redis, { maxRetriesPerRequest: 1, lazyConnect: true });
admin.on('error', () => {});
const opened = new Map<ClientName, OpenedClient>();

afterAll(async () => {
  if (admin.status === 'ready') await deleteKeysWithPrefix(admin, runPrefix);
  admin.disconnect();
  for (const { close } of opened.values()) await close();
});

const available = (name: ClientName) =>
  serviceAvailable('Redis', async () => {
    await admin.connect().catch(() => {});
    opened.set(name, opened.get(name) ?? (await openClient(name, serviceUrls.redis)));
  });

for (const name of ['iovalkey', 'node-redis'] as const) {
  storeConformanceSuite({ describe, it, beforeAll, afterAll }, `RedisStore through ${name}`, {
    createStore: ({ prefix }) => new RedisStore({ client: opened.get(name)!.client, prefix: `${runPrefix}${name}:${prefix}` }),
    available: () => available(name),
  });
}

describe('RedisStore clients side by side', () => {
  let live = false;
  beforeAll(async () => {
    live = (await Promise.all(CLIENT_NAMES.map(available))).every(Boolean);
  });

  it('a response stored through any client replays byte for byte through every other', async () => {
    if (!live) return;
    const stores = CLIENT_NAMES.map((name) => new RedisStore({ client: opened.get(name)!.client, prefix: `${runPrefix}shared:` }));
    const now = Date.now();
    for (const [index, writer] of stores.entries()) {
      const key = `written-by-${CLIENT_NAMES[index]}`;
      const body = new Uint8Array(randomBytes(70_000));
      const acquired = await writer.acquire(key, 'fp', { lockTtlMs: 5_000, ttlMs: 60_000, now });
      if (acquired.state !== 'acquired') throw new Error(`expected to acquire ${key}`);
      expect(await writer.complete(key, acquired.token, body, { ttlMs: 60_000, now })).toBe(true);
      for (const reader of stores) {
        const replay = await reader.acquire(key, 'other-fp', { lockTtlMs: 5_000, ttlMs: 60_000, now });
        expect(replay.state).toBe('completed');
        expect(replay.state === 'completed' && Buffer.from(replay.record.response!).equals(Buffer.from(body))).toBe(true);
      }
    }
  });

  it('refuses a node-redis 4 client (no withTypeMapping) and other objects, naming the clients it takes', () => {
    const v4Like = { evalSha: () => undefined, on: () => undefined, off: () => undefined };
    expect(() => new RedisStore({ client: v4Like as never })).toThrow(ConfigurationError);
    expect(() => new RedisStore({ client: v4Like as never })).toThrow(/ioredis or iovalkey .* node-redis 5/);
  });
});
