/**
 * Bundles an app for a runtime from the packages' TypeScript sources (no prior build): `@idem/x` is
 * `packages/x/src`. Bun and Deno get an ES module that may `require` node built-ins (ioredis does);
 * workerd gets a Workers module whose `node:` imports its `nodejs_compat` flag provides.
 */
import { build, type Plugin } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const packagesDir = join(__dirname, '../../../packages');

/** `@idem/x` is `packages/x/src/index.ts`, `@idem/x/sub` is `packages/x/src/sub.ts`. */
const idemSources: Plugin = {
  name: 'idem-sources',
  setup(build) {
    build.onResolve({ filter: /^@idem\/[a-z0-9-]+(\/[a-z0-9-]+)?$/ }, ({ path }) => {
      const [, name, sub] = path.split('/');
      return { path: join(packagesDir, name!, 'src', `${sub ?? 'index'}.ts`) };
    });
  },
};

export type BundleTarget = 'server' | 'workerd';

export async function bundleApp(entry: string, target: BundleTarget): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'idem-runtime-')), 'app.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    logLevel: 'error',
    plugins: [idemSources],
    ...(target === 'server'
      ? {
          platform: 'node',
          banner: {
            js: "import { createRequire as __idemCreateRequire } from 'node:module'; const require = __idemCreateRequire(import.meta.url);",
          },
        }
      : { platform: 'neutral', conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'], external: ['node:*'] }),
  });
  return outfile;
}
