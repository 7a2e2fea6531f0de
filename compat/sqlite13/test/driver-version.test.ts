// Proves the suites beside this one ran on better-sqlite3 13, on the Node it needs.
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';

it('loads better-sqlite3 13 on Node >= 22', () => {
  const db = new Database(':memory:');
  expect(db.prepare('select 1 as one').get()).toEqual({ one: 1 });
  db.close();
  expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(22);
  expect(require('better-sqlite3/package.json').version).toMatch(/^13\./);
});

it('gives forked child processes better-sqlite3 13 too', () => {
  // A child started where @idem/sql's tests live, as the race tests fork theirs.
  const loaded = execFileSync(
    process.execPath,
    ['-e', "require('better-sqlite3'); console.log(Object.keys(require.cache).find((file) => file.includes('better-sqlite3@')))"],
    {
      cwd: `${__dirname}/../../../packages/sql`,
      encoding: 'utf8',
    },
  );
  expect(loaded).toMatch(/better-sqlite3@13\./);
});
