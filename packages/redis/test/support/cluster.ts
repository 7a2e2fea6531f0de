/**
 * A real 3-master Redis Cluster for tests: three cluster-enabled `redis-server`s on free loopback ports
 * in one temp dir, joined with `redis-cli --cluster create`, torn down (processes and files) after.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, startRedisServer, type RedisServer } from './redis-server';

const run = promisify(execFile);

export interface TestCluster {
  /** Seed nodes for an ioredis `Cluster`. */
  readonly nodes: { host: string; port: number }[];
  readonly servers: RedisServer[];
  stop(): Promise<void>;
}

export async function startCluster(masters = 3): Promise<TestCluster> {
  const root = mkdtempSync(join(tmpdir(), 'idem-cluster-'));
  const servers: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort(true);
      const dir = join(root, String(port));
      mkdirSync(dir);
      servers.push(
        await startRedisServer({
          port,
          dir,
          extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'],
        }),
      );
    }
    const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    await Promise.all(servers.map((server) => waitForClusterOk(server.port)));
    return { nodes: servers.map((server) => ({ host: '127.0.0.1', port: server.port })), servers, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Every node must see all slots covered before the cluster takes commands. */
async function waitForClusterOk(port: number, timeoutMs = 20_000): Promise<void> {
  const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  client.on('error', () => {});
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const info = await client.cluster('INFO');
      if (String(info).includes('cluster_state:ok')) return;
      if (Date.now() > deadline) throw new Error(`cluster node ${port} never reached cluster_state:ok`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    client.disconnect();
  }
}
