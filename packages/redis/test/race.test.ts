/**
 * Exactly-once across OS processes: 4 processes, each with its own RedisStore and connection, fire 50
 * concurrent duplicates of each of 20 keys at the same instant. Every key must run exactly once: with a
 * store-created client, and through each client the store takes.
 */
import { randomUUID } from 'node:crypto';
import { runProcessRace, serviceAvailable, serviceUrls } from '@idem/testkit';
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix } from './support/cleanup';

const racePrefix = `idem-redis-race-${randomUUID().slice(0, 8)}-`;
const client = new Redis(serviceUrls.redis, { maxRetriesPerRequest: 1, lazyConnect: true });
client.on('error', () => {});
let available = false;

beforeAll(async () => {
  available = await serviceAvailable('Redis', async () => {
    await client.connect();
    await client.ping();
  });
});

afterAll(async () => {
  if (available) await deleteKeysWithPrefix(client, racePrefix);
  client.disconnect();
});

describe.each([
  ['ioredis, a store-created client', undefined],
  ['iovalkey', 'iovalkey'],
  ['node-redis', 'node-redis'],
])('RedisStore under a multi-process race (%s)', (_label, clientName) => {
  it('runs every key exactly once across 4 processes × 50 duplicates × 20 keys', async () => {
    if (!available) return;
    const runPrefix = `${racePrefix}${clientName ?? 'url'}`;
    process.env.IDEM_REDIS_RACE_PREFIX = runPrefix;
    if (clientName) process.env.IDEM_REDIS_RACE_CLIENT = clientName;
    else delete process.env.IDEM_REDIS_RACE_CLIENT;
    const result = await runProcessRace({
      factoryModule: require.resolve('./support/race-factory.ts'),
      processes: 4,
      keys: 20,
      duplicates: 50,
    });
    console.log(
      `race (${clientName ?? 'url'}): ${JSON.stringify({ duplicateExecutions: result.duplicateExecutions, keysNeverExecuted: result.keysNeverExecuted, replays: result.replays, errors: result.errors.length })}`,
    );
    expect(result.errors).toEqual([]);
    expect(result.duplicateExecutions).toBe(0);
    expect(result.keysNeverExecuted).toBe(0);
    expect(Object.values(result.executionsPerKey)).toEqual(Array(20).fill(1));
    // Every other call was answered with the stored result.
    expect(result.replays).toBe(4 * 50 * 20 - 20);
    // The records really are in Redis, under the run's prefix.
    expect((await client.keys(`${runPrefix}*`)).length).toBe(20);
  }, 120_000);
});
