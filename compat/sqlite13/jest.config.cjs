// @idem/sql's own SQLite test files (and the option checks that open SQLite databases), with
// `better-sqlite3` resolved to this package's 13: run-tests.mjs starts jest on Node >= 22, which 13 needs.
// The PostgreSQL and MySQL files do not touch the driver and run in @idem/sql itself.
const path = require('node:path');
const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  rootDir: __dirname,
  roots: [path.join(__dirname, '../../packages/sql/test'), path.join(__dirname, 'test')],
  testMatch: ['**/test/driver-version.test.ts', '**/sql/test/{sqlite,options,transient-errors}.test.ts'],
  moduleNameMapper: {
    ...preset.moduleNameMapper,
    '^better-sqlite3$': require.resolve('better-sqlite3', { paths: [__dirname] }),
  },
};
