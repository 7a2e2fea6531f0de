/**
 * Runs the Worker locally in workerd (through miniflare), configured as wrangler.toml says: the
 * Durable Object namespace bound to IdempotencyDurableObject and the nodejs_compat flag.
 * `corepack pnpm start` serves it on PORT (default 8787); the test starts it on a free port.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

const root = join(__dirname, '..', '..', '..');

export async function startLocal(port = 0): Promise<{ url: string; dispose(): Promise<void> }> {
  const bundle = await build({
    entryPoints: [join(__dirname, 'worker.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['node:*'],
    // Inside this repository the idem packages are bundled from their sources (no build needed first).
    alias: {
      ...Object.fromEntries(['core', 'sql', 'hono', 'cloudflare'].map((name) => [`@idem/${name}`, join(root, 'packages', name, 'src', 'index.ts')])),
      '@idem/core/adapter': join(root, 'packages', 'core', 'src', 'adapter.ts'),
    },
    logLevel: 'silent',
  });
  const mf = new Miniflare({
    modules: true,
    script: bundle.outputFiles[0]!.text,
    compatibilityDate: '2025-09-01',
    compatibilityFlags: ['nodejs_compat'],
    durableObjects: { IDEMPOTENCY: { className: 'IdempotencyDurableObject', useSQLite: true } },
    host: '127.0.0.1',
    port,
  });
  const url = (await mf.ready).origin;
  return { url, dispose: () => mf.dispose() };
}

if (require.main === module) {
  startLocal(Number(process.env.PORT ?? 8787)).then(({ url }) => console.log(`payments API on ${url}`));
}
