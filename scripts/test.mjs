// The one test command (README, CI): type-checks every package, runs every package's jest suite
// through turbo, then prints a single total line counted from every run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const resultsDir = join(root, '.test-results');
rmSync(resultsDir, { recursive: true, force: true });

const run = (args) =>
  spawnSync('pnpm', ['exec', 'turbo', 'run', ...args, '--output-logs=errors-only', '--concurrency=1', '--continue'], {
    cwd: root,
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
