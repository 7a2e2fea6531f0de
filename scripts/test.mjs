// The one test command (README, CI): type-checks every package, runs every package's jest suite
// through turbo, then prints a single total line counted from every run.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const resultsDir = join(root, '.test-results');
rmSync(resultsDir, { recursive: true, force: true });

// turbo runs each package's script through `pnpm`, which is not on PATH when pnpm was started as
// `corepack pnpm …`: put a shim that calls the running pnpm first on PATH.
const env = { ...process.env };
const pnpmEntry = process.env.npm_execpath;
if (pnpmEntry && /pnpm\.c?js$/.test(pnpmEntry)) {
  const shimDir = mkdtempSync(join(tmpdir(), 'idem-pnpm-'));
  writeFileSync(join(shimDir, 'pnpm'), `#!/bin/sh\nexec "${process.execPath}" "${pnpmEntry}" "$@"\n`);
  chmodSync(join(shimDir, 'pnpm'), 0o755);
  env.PATH = `${shimDir}${delimiter}${env.PATH}`;
}

const turbo = join(root, 'node_modules', '.bin', 'turbo');
const run = (args) =>
  spawnSync(turbo, ['run', ...args, '--output-logs=errors-only', '--concurrency=1', '--continue'], {
    cwd: root,
    env,
    stdio: 'inherit',
  }).status ?? 1;

const typecheckStatus = run(['typecheck']);
const testStatus = run(['test', ...process.argv.slice(2)]);

const total = { passed: 0, failed: 0, skipped: 0 };
if (existsSync(resultsDir)) {
  for (const file of readdirSync(resultsDir)) {
    const counts = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
  }
}
if (typecheckStatus !== 0) console.error('typecheck failed');
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(typecheckStatus !== 0 || testStatus !== 0 ? 1 : 0);
