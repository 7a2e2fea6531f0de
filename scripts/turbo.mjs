// Runs turbo with the running pnpm on PATH. turbo starts each package's script through `pnpm`, which
// is not on PATH when pnpm itself was started as `corepack pnpm …` on a fresh machine.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function envWithPnpm() {
  const env = { ...process.env };
  const pnpmEntry = process.env.npm_execpath;
  if (pnpmEntry && /pnpm\.c?js$/.test(pnpmEntry)) {
    const shimDir = mkdtempSync(join(tmpdir(), 'idem-pnpm-'));
    writeFileSync(join(shimDir, 'pnpm'), `#!/bin/sh\nexec "${process.execPath}" "${pnpmEntry}" "$@"\n`);
    chmodSync(join(shimDir, 'pnpm'), 0o755);
    env.PATH = `${shimDir}${delimiter}${env.PATH}`;
  }
  return env;
}

/** Runs `turbo <args>` from the workspace root; resolves to its exit status. */
export function turbo(args) {
  return spawnSync(join(root, 'node_modules', '.bin', 'turbo'), args, { cwd: root, env: envWithPnpm(), stdio: 'inherit' }).status ?? 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(turbo(process.argv.slice(2)));
