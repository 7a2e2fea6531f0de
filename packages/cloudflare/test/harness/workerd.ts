/**
 * Runs the test Worker in workerd: bundles `test/worker` (and the package's sources with it) with
 * esbuild, then starts it under miniflare with a Durable Object namespace bound to
 * `IdempotencyDurableObject`, a D1 database, the Node bridge as a service binding, and an eval binding
 * (for the scenario suite's pure callbacks). Everything is in memory: each start is a fresh world.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { Miniflare, Response as MiniflareResponse } from 'miniflare';

const root = join(__dirname, '..', '..', '..', '..');
const source = (name: string) => join(root, 'packages', name, 'src', 'index.ts');

async function bundleWorker(): Promise<string> {
  const result = await build({
    entryPoints: [join(__dirname, '..', 'worker', 'index.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    // nodejs_compat provides node:* inside workerd.
    external: ['node:*'],
    alias: { ...Object.fromEntries(['core', 'sql', 'hono'].map((name) => [`@idem/${name}`, source(name)])), '@idem/core/adapter': join(root, 'packages', 'core', 'src', 'adapter.ts') },
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** Answers the Worker's calls to Node (`env.BRIDGE.fetch(...)`); miniflare runs it in this process. */
export type BridgeHandler = (path: string, body: string) => Promise<string>;

export interface Workerd {
  /** The Worker's URL on a real local socket, e.g. `http://127.0.0.1:43123`. */
  url: string;
  dispose(): Promise<void>;
}

export async function startWorkerd(bridge: BridgeHandler = async () => '{"thrown":"no bridge"}'): Promise<Workerd> {
  const mf = new Miniflare({
    modules: true,
    script: await bundleWorker(),
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
