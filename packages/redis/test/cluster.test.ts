/**
 * The shared store contract on a real 3-master Redis Cluster started for this test, through each
 * cluster client the store takes (ioredis `Cluster`, iovalkey `Cluster`, node-redis `createCluster`):
 * every script touches one key, so it runs unchanged whichever node owns the slot.
 */
import { servicesRequired, storeConformanceSuite } from '@idem/testkit';
import { StorageError } from '@idem/core';
import { Cluster, Redis } from 'ioredis';
import { RedisStore } from '../src';
import { openCluster, type OpenedClient } from './support/clients';
import { startCluster, type TestCluster } from './support/cluster';
import { redisServerInstalled } from './support/redis-server';

let cluster: TestCluster | undefined;
let client: Cluster | undefined;

beforeAll(async () => {
  if (!redisServerInstalled()) {
    if (servicesRequired()) throw new Error('redis-server is not installed; CI / IDEM_REQUIRE_SERVICES requires it');
    console.warn('\n  SKIPPED: redis-server is not installed, so the Redis Cluster suite cannot start a cluster.\n');
    return;
  }
  cluster = await startCluster(3);
  client = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 5_000 } });
  client.on('error', () => {});
}, 60_000);

storeConformanceSuite({ describe, it, beforeAll, afterAll }, 'RedisStore on Redis Cluster', {
  createStore: ({ prefix }) => new RedisStore({ client: client as Cluster, prefix }),
  available: async () => {
    if (!client) return false;
    await client.ping();
    return true;
  },
});

const others = new Map<string, OpenedClient>();
for (const name of ['iovalkey', 'node-redis'] as const) {
  storeConformanceSuite({ describe, it, beforeAll, afterAll }, `RedisStore on Redis Cluster through ${name}`, {
    createStore: ({ prefix }) => new RedisStore({ client: others.get(name)!.client, prefix }),
    available: async () => {
      if (!cluster) return false;
      others.set(name, others.get(name) ?? (await openCluster(name, cluster.nodes)));
      return true;
    },
  });
}

// Top level, so the cluster outlives every describe block of this file.
afterAll(async () => {
  for (const other of others.values()) await other.close();
  client?.disconnect();
  await cluster?.stop();
}, 60_000);

describe('RedisStore on Redis Cluster, spread over the masters', () => {
  it('stores keys on every master (the test cluster really shards), through every cluster client', async () => {
    if (!client || !cluster) return;
    const now = Date.now();
    for (const name of ['ioredis', 'iovalkey', 'node-redis'] as const) {
      if (name !== 'ioredis' && !others.has(name)) others.set(name, await openCluster(name, cluster.nodes));
      const through = name === 'ioredis' ? client : others.get(name)!.client;
      const store = new RedisStore({ client: through, prefix: `spread-${name}:` });
      for (let i = 0; i < 20; i++) {
        const result = await store.acquire(`key-${i}`, 'fp', { lockTtlMs: 5_000, ttlMs: 60_000, now });
        expect(result.state).toBe('acquired');
        expect((await store.acquire(`key-${i}`, 'fp', { lockTtlMs: 5_000, ttlMs: 60_000, now })).state).toBe('in_progress');
      }
    }
    const perMaster = await Promise.all(client.nodes('master').map((node) => node.dbsize()));
    expect(perMaster).toHaveLength(3);
    for (const count of perMaster) expect(count).toBeGreaterThan(0);
  });
});

describe('RedisStore on Redis Cluster when a master dies', () => {
  it('turns CLUSTERDOWN and the lost node into StorageError, within operationTimeout', async () => {
    if (!client || !cluster) return;
    const store = new RedisStore({ client, prefix: 'down:', operationTimeout: 3_000 });
    const [dead, survivor] = cluster.servers;
    await dead!.kill();
    // The survivors mark the cluster failed after cluster-node-timeout (2 s).
    const probe = new Redis({ port: survivor!.port, host: '127.0.0.1' });
    try {
      const deadline = Date.now() + 15_000;
      while (!String(await probe.cluster('INFO')).includes('cluster_state:fail')) {
        if (Date.now() > deadline) throw new Error('the cluster never noticed the dead master');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      probe.disconnect();
    }
    const started = Date.now();
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        store.acquire(`key-${i}`, 'fp', { lockTtlMs: 5_000, ttlMs: 60_000, now: Date.now() }).catch((e: unknown) => e),
      ),
    );
    for (const outcome of outcomes) expect(outcome).toBeInstanceOf(StorageError);
    expect(outcomes.some((e) => (e as Error).message.includes('CLUSTERDOWN'))).toBe(true);
    expect(Date.now() - started).toBeLessThan(6_000);
  }, 30_000);
});
