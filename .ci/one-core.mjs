// One core: every adapter and store takes @idem/core as a peer dependency, so an app that installs two
// middlewares and two stores from their packed tarballs carries exactly one @idem/core, and an error raised
// inside any of them is `instanceof` the app's own IdempotencyError (from `import` and from `require`).
// Usage: node .ci/one-core.mjs <folder of packed tarballs>
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const tarballs = process.argv[2];
if (!tarballs) throw new Error('usage: node .ci/one-core.mjs <folder of packed tarballs>');
const files = readdirSync(tarballs).filter((file) => file.endsWith('.tgz'));
const tarball = (name) => {
  const file = files.find((f) => f.startsWith(`${name.replace('@', '').replace('/', '-')}-`));
  if (!file) throw new Error(`no tarball for ${name} in ${tarballs}`);
  return join(tarballs, file);
};
const fail = (message) => {
  console.error(`one-core: ${message}`);
  process.exit(1);
};

// 1. Every packed package but core asks for core as a peer, never as a dependency of its own.
for (const file of files) {
  const manifest = JSON.parse(execFileSync('tar', ['-xOzf', join(tarballs, file), 'package/package.json'], { encoding: 'utf8' }));
  if (manifest.name === '@idem/core') continue;
  if (manifest.dependencies?.['@idem/core'] || manifest.optionalDependencies?.['@idem/core']) {
    fail(`${manifest.name} depends on @idem/core itself: an app could carry two copies`);
  }
  if (!manifest.peerDependencies?.['@idem/core']) fail(`${manifest.name} does not list @idem/core as a peer dependency`);
}

// 2. A fresh npm app with two middlewares and two stores.
const packages = ['@idem/express', '@idem/fetch', '@idem/memory', '@idem/sql'];
const app = mkdtempSync(join(tmpdir(), 'idem-one-core-'));
try {
  const npm = (...args) => execFileSync('npm', args, { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  npm('init', '-y');
  npm('install', '--no-audit', '--no-fund', '--loglevel=error', tarball('@idem/core'), ...packages.map(tarball));

  // 3. npm sees one @idem/core, and every package resolves that same file.
  const copies = [...new Set(npm('ls', '@idem/core', '--all', '--parseable').split('\n').filter(Boolean))];
  if (copies.length !== 1) fail(`expected one @idem/core, npm ls found ${copies.length}:\n${copies.join('\n')}`);
  const resolveFrom = `
    const { createRequire } = require('node:module');
    const paths = [require.resolve('@idem/core')];
    for (const name of ${JSON.stringify(packages)}) paths.push(createRequire(require.resolve(name)).resolve('@idem/core'));
    process.stdout.write(JSON.stringify(paths.map((p) => require('node:fs').realpathSync(p))));`;
  const resolved = new Set(JSON.parse(execFileSync('node', ['-e', resolveFrom], { cwd: app, encoding: 'utf8' })));
  if (resolved.size !== 1) fail(`@idem/core resolves to different files: ${[...resolved].join(', ')}`);

  // 4. Errors raised inside each package are instances of the app's own error classes.
  const checks = `
    const thrown = (fn) => { try { fn(); } catch (error) { return error; } throw new Error('did not throw'); };
    const expectations = [
      ['@idem/express', thrown(() => express.idempotency({})), core.StorageNotConfiguredError],
      ['@idem/fetch', thrown(() => fetch.idempotency({})), core.StorageNotConfiguredError],
      ['@idem/memory', thrown(() => new memory.MemoryStore({ maxEntries: 0 })), core.ConfigurationError],
      ['@idem/sql', thrown(() => new sql.SqlStore({})), core.ConfigurationError],
    ];
    const down = new sql.SqlStore({ dialect: sql.postgres({ query: () => Promise.reject(new Error('connection refused')) }) });
    expectations.push(['@idem/sql (a failing query)', await down.get('k').then(() => undefined, (error) => error), core.StorageError]);
    for (const [name, error, type] of expectations) {
      if (!(error instanceof core.IdempotencyError) || !(error instanceof type)) {
        throw new Error(name + ': ' + (error && error.name) + ' is not instanceof the app\\'s ' + type.name);
      }
    }`;
  const esm = `const core = await import('@idem/core'); const express = await import('@idem/express'); const fetch = await import('@idem/fetch');
    const memory = await import('@idem/memory'); const sql = await import('@idem/sql'); ${checks}`;
  const cjs = `(async () => { const core = require('@idem/core'); const express = require('@idem/express'); const fetch = require('@idem/fetch');
    const memory = require('@idem/memory'); const sql = require('@idem/sql'); ${checks} })().catch((error) => { console.error(error.message); process.exit(1); });`;
  execFileSync('node', ['--input-type=module', '-e', esm], { cwd: app, stdio: 'inherit' });
  execFileSync('node', ['-e', cjs], { cwd: app, stdio: 'inherit' });
  console.log(
    `one-core: ${packages.join(', ')} share one @idem/core (${relative(realpathSync(app), realpathSync(copies[0]))}); instanceof holds from import and require`,
  );
} finally {
  rmSync(app, { recursive: true, force: true });
}
