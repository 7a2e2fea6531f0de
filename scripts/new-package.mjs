// Writes the shared build/test boilerplate of one workspace package (package.json fields, tsconfigs,
// jest config) so every published package has the same exports map and scripts.
// Usage: node scripts/new-package.mjs <dir> <description> [peer=range ...]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, description, ...peers] = process.argv.slice(2);
if (!dir || !description) throw new Error('usage: new-package.mjs <dir> <description> [peer=range ...]');
const pkgDir = join('packages', dir);
mkdirSync(join(pkgDir, 'src'), { recursive: true });
mkdirSync(join(pkgDir, 'test'), { recursive: true });
const pkgPath = join(pkgDir, 'package.json');
const existing = existsSync(pkgPath) ? JSON.parse(readFileSync(pkgPath, 'utf8')) : {};
const peerDependencies = Object.fromEntries(
  peers.map((p) => {
    const i = p.lastIndexOf('=');
    return [p.slice(0, i), p.slice(i + 1)];
  }),
);
const pkg = {
  name: `@idem/${dir}`,
  version: '0.1.0',
  description,
  license: 'MIT',
  keywords: ['idempotency', 'idempotency-key', 'retry', 'exactly-once'],
  type: 'module',
  sideEffects: false,
  engines: { node: '>=20' },
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.cts',
  exports: {
    '.': {
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    },
    './package.json': './package.json',
  },
  files: ['dist', 'README.md'],
  publishConfig: { access: 'public' },
  scripts: {
    build: 'tsup src/index.ts --format esm,cjs --dts --clean --tsconfig tsconfig.build.json',
    typecheck: 'tsc --noEmit -p tsconfig.json',
    test: 'jest',
  },
  ...existing,
};
if (peers.length && !existing.peerDependencies) pkg.peerDependencies = peerDependencies;
if (dir !== 'core') {
  // Core is a peer (one copy per app, so `instanceof IdempotencyError` holds) and a dev dependency for the tests.
  pkg.peerDependencies = { '@idem/core': 'workspace:^', ...pkg.peerDependencies };
  pkg.devDependencies = { '@idem/core': 'workspace:^', ...pkg.devDependencies };
  if (pkg.dependencies) delete pkg.dependencies['@idem/core'];
}
writeFileSync(pkgPath, JSON.stringify(pkg, null, 2) + '\n');
writeFileSync(
  join(pkgDir, 'tsconfig.json'),
  JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src', 'test'] }, null, 2) + '\n',
);
writeFileSync(
  join(pkgDir, 'tsconfig.build.json'),
  JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { paths: {}, types: ['node'] }, include: ['src'] }, null, 2) +
    '\n',
);
writeFileSync(join(pkgDir, 'jest.config.cjs'), "module.exports = require('../../jest.preset.cjs');\n");
