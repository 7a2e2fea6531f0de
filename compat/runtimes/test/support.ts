/** One app per test file, started inside the runtime before the suites and stopped after them. */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { serviceAvailable, serviceUrls } from '@idem/testkit';
import { Redis } from 'ioredis';
import { bundleApp, startApp, type RunningApp, type Runtime } from '../src';

export const api = { describe, it, beforeAll, afterAll };

export function appInside(runtime: Runtime): () => RunningApp {
  let app: RunningApp | undefined;
  beforeAll(async () => {
    const bundle = await bundleApp(join(__dirname, `../src/inside/${runtime}.ts`), runtime === 'workerd' ? 'workerd' : 'server');
    app = await startApp(runtime, bundle);
  }, 60_000);
  afterAll(() => app?.close());
  return () => app!;
}

/** Asks the app which runtime answers: its `navigator.userAgent`. */
export async function userAgentOf(app: RunningApp): Promise<string> {
  return (await fetch(`${app.url}/__scenario/runtime`)).text();
}

/** The machine's Redis with a prefix of this run's own per group, deleted afterwards. */
export function redisStore(): (group: string) => { kind: string; url: string; prefix: string } {
  const runPrefix = `idem-runtimes-${randomUUID().slice(0, 8)}:`;
  const admin = new Redis(serviceUrls.redis, { lazyConnect: true, maxRetriesPerRequest: 1 });
  admin.on('error', () => {});
  beforeAll(async () => {
    await serviceAvailable('Redis', async () => {
      await admin.connect();
      await admin.ping();
    });
  });
  afterAll(async () => {
    if (admin.status === 'ready') {
      let cursor = '0';
      do {
        const [next, keys] = await admin.scan(cursor, 'MATCH', `${runPrefix}*`, 'COUNT', 500);
        if (keys.length > 0) await admin.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
    admin.disconnect();
  });
  return (group) => ({ kind: 'redis', url: serviceUrls.redis, prefix: `${runPrefix}${group}:` });
}
