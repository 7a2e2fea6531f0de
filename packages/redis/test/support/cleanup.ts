/** Removes every key under a test run's own prefix (on each master of a cluster), so shared servers stay clean. */
import { Cluster, type Redis } from 'ioredis';

export async function deleteKeysWithPrefix(client: Redis | Cluster, prefix: string): Promise<number> {
  if (/[*?[\]\\]/.test(prefix)) throw new Error(`test prefix must hold no glob characters: ${prefix}`);
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  let deleted = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scanBuffer(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = String(next);
      // One DEL per key: on a cluster, keys of one node may still span slots.
      for (const key of keys) deleted += await node.del(key);
    } while (cursor !== '0');
  }
  return deleted;
}
