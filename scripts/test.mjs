// The one test command (README, CI): type-checks every package (typecheck.mjs), runs every package's jest suite
// through turbo, then prints a single total line counted from every run.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { turbo } from './turbo.mjs';
import { typecheck } from './typecheck.mjs';

const resultsDir = fileURLToPath(new URL('../.test-results', import.meta.url));
rmSync(resultsDir, { recursive: true, force: true });

// Three packages' suites at a time: most of a suite's time is spent waiting on real leases, ttls and child
// processes, not on the CPU, and every test names its own tables, keys, schemas, ports and temp dirs, so
// suites of different packages share the servers safely (the Node matrix runs four cells at once the same way).
const flags = ['--output-logs=errors-only', `--concurrency=${process.env.IDEM_TEST_CONCURRENCY ?? 3}`, '--continue'];
// Type-checking touches no server and no clock, so it runs first, on both cores (typecheck.mjs).
const typecheckStatus = await typecheck();
const testStatus = turbo(['run', 'test', ...flags, ...process.argv.slice(2)]);

const total = { passed: 0, failed: 0, skipped: 0 };
const runs = [];
if (existsSync(resultsDir)) {
  for (const file of readdirSync(resultsDir)) {
    const counts = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
    runs.push({ name: file.replace(/\.json$/, '').replace(/__/g, '/'), seconds: (counts.endedAt - counts.startedAt) / 1000 });
  }
}
// Where the wall time went (the CI budget is watched from this line): the longest suites first.
const longest = runs
  .filter((run) => Number.isFinite(run.seconds))
  .sort((a, b) => b.seconds - a.seconds)
  .slice(0, 6);
if (longest.length) console.log(`longest suites: ${longest.map((run) => `${run.name} ${Math.round(run.seconds)} s`).join(', ')}`);
if (typecheckStatus !== 0) console.error('typecheck failed');
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(typecheckStatus !== 0 || testStatus !== 0 ? 1 : 0);
