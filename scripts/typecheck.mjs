// Type-checks every workspace package (`pnpm typecheck`, and the first step of `pnpm test`).
//
// Every package whose tsconfig.json is the shared base plus its own `include` (and at most the
// decorator switches) is checked in ONE TypeScript program: each `tsc` process spends seconds loading
// the same @types and the same @idem sources again, so one program over all of them takes a few seconds
// where one process per package took over a minute. Each import still resolves from its own file's
// folder, so every package checks against its own dependencies. The packages with settings of their
// own (another module system, other paths or types) are checked alone, beside it. A package's own
// `typecheck` script still checks it alone, for work on one package. A package's `pretypecheck` script
// (the Prisma packages generate their clients there) runs first, as it does before that script.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
/** Options a package may set and still join the shared program (the shared program sets them on). */
const SHARED_OPTIONS = new Set(['experimentalDecorators', 'emitDecoratorMetadata']);

function workspaceDirs() {
  const globs = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')
    .split('\n')
    .map((line) => /^\s+-\s+(\S+)\s*$/.exec(line)?.[1])
    .filter((entry) => entry && !entry.includes('@'));
  return globs.flatMap((glob) =>
    glob.endsWith('/*')
      ? readdirSync(join(root, glob.slice(0, -2)), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => join(glob.slice(0, -2), entry.name))
      : [glob],
  );
}

function joinsSharedProgram(config) {
  const options = Object.keys(config.compilerOptions ?? {});
  return /(^|\/)tsconfig\.base\.json$/.test(config.extends ?? '') && !config.files && options.every((name) => SHARED_OPTIONS.has(name));
}

function run(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, ...args], { cwd: root, stdio: 'inherit' });
    child.on('close', (status) => resolve(status ?? 1));
  });
}

/** A package's `pretypecheck` script, in its folder, with its own and the root's bins on PATH as pnpm gives them. */
function runScript(dir, script) {
  const bins = [join(root, dir, 'node_modules', '.bin'), join(root, 'node_modules', '.bin')];
  const env = { ...process.env, PATH: [...bins, process.env.PATH].join(delimiter) };
  return new Promise((resolve) => {
    const child = spawn(script, { cwd: join(root, dir), env, shell: true, stdio: 'inherit' });
    child.on('close', (status) => resolve(status ?? 1));
  });
}

/** Runs the jobs two at a time (type-checking is all CPU); resolves to how many failed. */
async function twoAtATime(jobs) {
  let failed = 0;
  const worker = async () => {
    for (let job = jobs.shift(); job; job = jobs.shift()) if ((await job()) !== 0) failed++;
  };
  await Promise.all([worker(), worker()]);
  return failed;
}

export async function typecheck() {
  const shared = [];
  const alone = [];
  const before = [];
  for (const dir of workspaceDirs()) {
    const manifest = join(root, dir, 'package.json');
    const pre = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).scripts?.pretypecheck : undefined;
    if (pre) before.push(() => runScript(dir, pre));
    const file = join(root, dir, 'tsconfig.json');
    if (!existsSync(file)) continue;
    const config = JSON.parse(readFileSync(file, 'utf8'));
    if (joinsSharedProgram(config)) shared.push(...(config.include ?? ['.']).map((entry) => join(dir, entry)));
    else alone.push(join(dir, 'tsconfig.json'));
  }
  const cache = join(root, 'node_modules', '.cache', 'idem-typecheck');
  mkdirSync(cache, { recursive: true });
  const program = join(cache, 'tsconfig.json');
  const fromCache = (path) => relative(cache, join(root, path));
  writeFileSync(
    program,
    JSON.stringify({
      extends: fromCache('tsconfig.base.json'),
      compilerOptions: { noEmit: true, experimentalDecorators: true, emitDecoratorMetadata: true },
      include: shared.map(fromCache),
    }),
  );
  if ((await twoAtATime(before)) > 0) return 1;
  const checks = [['-p', program], ...alone.map((config) => ['--noEmit', '-p', config])];
  return (await twoAtATime(checks.map((args) => () => run(args)))) === 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(await typecheck());
