/**
 * Runs the Worker locally in workerd (through miniflare), configured as wrangler.toml says: the
 * Durable Object namespace bound to IdempotencyDurableObject and the nodejs_compat flag.
 * `corepack pnpm start` serves it on PORT (default 8787); the test starts it on a free port.
 */
import { dirname, join } from 'node:path';
import { Miniflare } from 'miniflare';
import { bundleApp } from '@idem/compat-runtimes';

export async function startLocal(port = 0): Promise<{ url: string; dispose(): Promise<void> }> {
  // Inside this repository the Worker is bundled from the idem packages' sources (no build needed first).
  const scriptPath = await bundleApp(join(__dirname, 'worker.ts'), 'workerd');
  const mf = new Miniflare({
    modules: true,
    scriptPath,
    modulesRoot: dirname(scriptPath),
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
