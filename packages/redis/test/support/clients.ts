/**
 * The three clients the store takes, each opened the same way for the shared suites: ioredis, iovalkey
 * (its fork, same API) and node-redis 5, on a single server or on a cluster. Every opened client has an
 * `error` listener and a `close()` that ends it.
 */
import { Redis as Iovalkey, Cluster as IovalkeyCluster } from 'iovalkey';
import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster } from 'redis';
import type { SupportedClient } from '../../src';

export type ClientName = 'ioredis' | 'iovalkey' | 'node-redis';
export const CLIENT_NAMES: ClientName[] = ['ioredis', 'iovalkey', 'node-redis'];

export interface OpenedClient {
  readonly client: SupportedClient;
  close(): Promise<void>;
}

type Node = { host: string; port: number };

/** A connected client on one server. */
export async function openClient(name: ClientName, url: string): Promise<OpenedClient> {
  if (name === 'node-redis') {
    const client = createClient({ url });
    client.on('error', () => {});
    await client.connect();
    return { client, close: async () => void (client.isOpen && (await client.close())) };
  }
  const client = name === 'ioredis' ? new Redis(url, { maxRetriesPerRequest: 1 }) : new Iovalkey(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  await client.ping();
  return { client, close: async () => client.disconnect() };
}

/** A connected cluster client, from seed nodes. */
export async function openCluster(name: ClientName, nodes: Node[]): Promise<OpenedClient> {
  if (name === 'node-redis') {
    const cluster = createCluster({ rootNodes: nodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` })) });
    cluster.on('error', () => {});
    await cluster.connect();
    return { client: cluster, close: async () => void (cluster.isOpen && (await cluster.close())) };
  }
  const options = { redisOptions: { maxRetriesPerRequest: 1 } };
  const cluster = name === 'ioredis' ? new Cluster(nodes, options) : new IovalkeyCluster(nodes, options);
  cluster.on('error', () => {});
  await cluster.ping();
  return { client: cluster, close: async () => cluster.disconnect() };
}
