// `node run-tests.mjs <node major> [jest args]`: @idem/sql's suites on that Node (from the npm registry's
// `node` package), with better-sqlite3 13 in place of the workspace's 12, in jest and in every child
// process the race tests fork.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [major, ...jestArgs] = process.argv.slice(2);
if (!major) throw new Error('usage: node run-tests.mjs <node major> [jest args]');
const here = fileURLToPath(new URL('.', import.meta.url));
const redirect = fileURLToPath(new URL('./better-sqlite3-13.cjs', import.meta.url));
const jest = fileURLToPath(new URL('../../node_modules/jest/bin/jest.js', import.meta.url));
const { status } = spawnSync('npx', ['-y', `node@${major}`, jest, ...jestArgs], {
  cwd: here,
  stdio: 'inherit',
  env: { ...process.env, IDEM_SQLITE13_NODE: major, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${redirect}`.trim() },
});
process.exit(status ?? 1);
