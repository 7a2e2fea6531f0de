// Every package's jest suite again on the other Node LTS lines (`engines` says >=20; the main test run is
// the workspace's Node 20). Node itself comes from the npm registry's `node` package, so nothing is
// installed system-wide. Prints one line per cell (package × Node line) and fails on any failure.
//
// Within the CI time budget, by these choices:
// - Cells run two at a time (2 cores) from one queue, longest first, so the 22 and 24 lines share the
//   machine instead of running one after the other; two cells of the same package never run at once
//   (they would share its generated files, its servers' temp dirs and its jest cache entries).
// - Each cell runs jest in band (--maxWorkers=1) and reuses the transform cache the Node 20 run filled.
// - Node is resolved once per line and started directly: `npx node@N` costs seconds on every call.
// - The multi-process races below are left out here: they prove exactly-once across OS processes
//   through the database or Redis, take most of their packages' time, do not depend on which Node runs
//   them, and run in the main test run on Node 20 (and the SQLite ones also in compat/sqlite13 on 22).
//
// better-sqlite3: the workspace's 12 is compiled for Node 20's ABI and cannot load on 22 or 24, where
// @idem/sql's peer range offers 13 (a prebuilt Node-API binary, compat/sqlite13's copy). So @idem/sql
// and @idem/prisma run on 22 and 24 with `better-sqlite3` resolved to 13, in jest and in any child
// process (compat/sqlite13/better-sqlite3-13.cjs). Prisma's SQLite adapter asks for 12: on these lines it
// loads 13, whose API it uses unchanged; a Node 22/24 user of the adapter gets 12's prebuilt binary.
//
// The counts are not added to the main `tests:` line: that line counts each test once (on Node 20), and
// these cells are the same tests run again on other Node versions.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const LINES = [22, 24];
const CONCURRENCY = 2;

/** Left out on 22 and 24 (see above): whole files, and tests by name inside shared suites. */
const EXCLUDED_FILES = {
  cloudflare: ['test/race.test.ts'],
  prisma: ['test/race.test.ts'],
  redis: ['test/race.test.ts'],
};
const EXCLUDED_TESTS = {
  sql: ['4 processes × 50 concurrent duplicates of 20 keys: every key runs exactly once'],
};
/** Packages whose tests load better-sqlite3, resolved to 13 on these lines. */
const SQLITE_PACKAGES = ['sql', 'prisma'];
const sqlite13 = join(root, 'compat/sqlite13');
const betterSqlite13 = createRequire(join(sqlite13, 'package.json')).resolve('better-sqlite3');

/** Longest first, so the queue ends with short cells and both slots finish close together. */
const ORDER = ['sql', 'redis', 'cloudflare', 'prisma', 'nestjs', 'express', 'fastify', 'koa', 'hono', 'fetch', 'core', 'memory', 'testkit'];
const packages = readdirSync(join(root, 'packages')).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
function rank(name) {
  const index = ORDER.indexOf(name);
  return index === -1 ? -1 : index; // a package not listed yet runs first: its length is unknown
}

const run = promisify(execFile);
async function nodeBinary(major) {
  const path = (await run('npx', ['-y', `node@${major}`, '-p', 'process.execPath'], { cwd: root })).stdout.trim();
  const version = (await run(path, ['-p', 'process.versions.node'])).stdout.trim();
  if (version.split('.')[0] !== String(major)) throw new Error(`node@${major} resolved to Node ${version}`);
  return { path, version };
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function jestConfig(pkg) {
  const dir = join(root, 'packages', pkg);
  const base = createRequire(join(dir, 'package.json'))('./jest.config.cjs');
  return {
    ...base,
    rootDir: dir,
    // The main run's count reporter writes .test-results/, which the `tests:` line totals: not here.
    reporters: ['default'],
    testPathIgnorePatterns: ['/node_modules/', ...(EXCLUDED_FILES[pkg] ?? []).map((file) => `^${escape(join(dir, file))}$`)],
    moduleNameMapper: { ...base.moduleNameMapper, ...(SQLITE_PACKAGES.includes(pkg) ? { '^better-sqlite3$': betterSqlite13 } : {}) },
  };
}

function runCell({ pkg, line, node, work }) {
  const excludedNames = EXCLUDED_TESTS[pkg] ?? [];
  const results = join(work, `${pkg}-${line}.json`);
  const args = [join(root, 'node_modules/jest/bin/jest.js'), '--config', JSON.stringify(jestConfig(pkg)), '--maxWorkers=1', '--silent', '--json', `--outputFile=${results}`];
  if (excludedNames.length > 0) args.push(`--testNamePattern=^(?!.*(${excludedNames.map(escape).join('|')})$)`);
  const env = { ...process.env };
  if (SQLITE_PACKAGES.includes(pkg)) {
    env.IDEM_SQLITE13_NODE = String(line);
    env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require "${join(sqlite13, 'better-sqlite3-13.cjs')}"`.trim();
  }
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(node.path, args, { cwd: join(root, 'packages', pkg), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (chunk) => (log += chunk));
    child.stderr.on('data', (chunk) => (log += chunk));
    child.on('close', (status) => {
      const seconds = Math.round((Date.now() - started) / 1000);
      let report;
      try {
        report = JSON.parse(readFileSync(results, 'utf8'));
      } catch {
        resolve({ pkg, line, status, seconds, log, passed: 0, failed: 1, skipped: 0, excluded: 0 });
        return;
      }
      const all = report.testResults.flatMap((file) => file.assertionResults);
      // Tests left out by name are reported as pending: count them apart from real skips.
      const excluded = all.filter((test) => test.status === 'pending' && excludedNames.some((name) => test.fullName.endsWith(name))).length;
      resolve({
        pkg,
        line,
        status,
        seconds,
        log,
        passed: report.numPassedTests,
        failed: report.numFailedTests + report.numRuntimeErrorTestSuites,
        skipped: report.numPendingTests + report.numTodoTests - excluded,
        excluded,
      });
    });
  });
}

// The lists above must name what exists: a renamed file or test would otherwise run here unnoticed,
// or the list would claim to leave out something that is gone.
for (const [pkg, files] of Object.entries(EXCLUDED_FILES)) {
  for (const file of files) if (!existsSync(join(root, 'packages', pkg, file))) throw new Error(`node matrix: packages/${pkg}/${file} is listed as left out but does not exist`);
}

const startedAt = Date.now();
const nodes = Object.fromEntries(await Promise.all(LINES.map(async (line) => [line, await nodeBinary(line)])));
const work = mkdtempSync(join(tmpdir(), 'idem-node-matrix-'));
const queue = packages.flatMap((pkg) => LINES.map((line) => ({ pkg, line, node: nodes[line], work })));
const running = new Set();
const cells = [];

async function slot() {
  for (;;) {
    const index = queue.findIndex((cell) => !running.has(cell.pkg));
    if (index === -1) {
      if (queue.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 200)); // only the other slot's package is left
      continue;
    }
    const [cell] = queue.splice(index, 1);
    running.add(cell.pkg);
    const result = await runCell(cell);
    running.delete(cell.pkg);
    const namesFound = (EXCLUDED_TESTS[cell.pkg] ?? []).length === 0 || result.excluded > 0;
    if (!namesFound) result.log += `\nnone of the tests listed as left out for @idem/${cell.pkg} exists any more: update EXCLUDED_TESTS`;
    const ok = result.status === 0 && result.failed === 0 && result.passed > 0 && namesFound;
    const extra = result.excluded > 0 ? `, ${result.excluded} left out (races)` : '';
    console.log(`node ${result.line} (${nodes[result.line].version}) @idem/${result.pkg}: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped${extra} in ${result.seconds}s${ok ? '' : ' FAILED'}`);
    if (!ok) console.log(result.log.split('\n').slice(-200).join('\n'));
    cells.push({ ...result, ok });
  }
}

await Promise.all(Array.from({ length: CONCURRENCY }, slot));
rmSync(work, { recursive: true, force: true });
const sum = (key) => cells.reduce((total, cell) => total + cell[key], 0);
const failedCells = cells.filter((cell) => !cell.ok);
console.log(
  `node matrix: ${cells.length} cells (${packages.length} packages × Node ${LINES.join(', ')}), ${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped, ${sum('excluded')} left out, in ${Math.round((Date.now() - startedAt) / 1000)}s`,
);
if (failedCells.length > 0) {
  console.log(`node matrix failed: ${failedCells.map((cell) => `@idem/${cell.pkg} on Node ${cell.line}`).join(', ')}`);
  process.exit(1);
}
