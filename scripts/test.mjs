// The one test command (README, CI): type-checks every package, runs every package's jest suite
// through turbo, then prints a single total line counted from every run.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { turbo } from './turbo.mjs';

const resultsDir = fileURLToPath(new URL('../.test-results', import.meta.url));
rmSync(resultsDir, { recursive: true, force: true });

const flags = ['--output-logs=errors-only', '--concurrency=1', '--continue'];
// Type-checking touches no server and no clock, so it uses both cores; the suites run one package at a time
// because their races and real-time rules share the machine's servers.
const typecheckStatus = turbo(['run', 'typecheck', '--output-logs=errors-only', '--concurrency=2', '--continue']);
const testStatus = turbo(['run', 'test', ...flags, ...process.argv.slice(2)]);

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
