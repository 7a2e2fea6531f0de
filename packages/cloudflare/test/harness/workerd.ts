/**
 * Runs the test Worker in workerd: bundles `test/worker` (and the packages' sources with it) with the
 * workspace's runtime bundler, then starts it under miniflare with a Durable Object namespace bound to
 * `IdempotencyDurableObject`, a D1 database, the Node bridge as a service binding, and an eval binding
 * (for the scenario suite's pure callbacks). Everything is in memory: each start is a fresh world.
 */
import { dirname, join } from 'node:path';
import { Miniflare, Response as MiniflareResponse } from 'miniflare';
import { bundleApp } from '@idem/compat-runtimes';

/** Answers the Worker's calls to Node (`env.BRIDGE.fetch(...)`); miniflare runs it in this process. */
export type BridgeHandler = (path: string, body: string) => Promise<string>;

export interface Workerd {
  /** The Worker's URL on a real local socket, e.g. `http://127.0.0.1:43123`. */
  url: string;
  dispose(): Promise<void>;
}

export async function startWorkerd(bridge: BridgeHandler = async () => '{"thrown":"no bridge"}'): Promise<Workerd> {
  const scriptPath = await bundleApp(join(__dirname, '..', 'worker', 'index.ts'), 'workerd');
  const mf = new Miniflare({
    modules: true,
    scriptPath,
    modulesRoot: dirname(scriptPath),
    compatibilityDate: '2025-09-01',
    compatibilityFlags: ['nodejs_compat'],
    durableObjects: { IDEMPOTENCY: { className: 'IdempotencyDurableObject', useSQLite: true } },
    d1Databases: { DB: 'idem-test' },
    unsafeEvalBinding: 'UNSAFE_EVAL',
    serviceBindings: {
      BRIDGE: async (request: Request) => new MiniflareResponse(await bridge(new URL(request.url).pathname, await request.text())),
    },
    host: '127.0.0.1',
    port: 0,
  });
  const url = await mf.ready;
  return { url: url.origin, dispose: () => mf.dispose() };
}
