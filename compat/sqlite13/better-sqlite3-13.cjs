// Preloaded (NODE_OPTIONS=--require) into every process of this test run: `better-sqlite3`, wherever it
// is required or imported from, is this package's 13, not the 12 that @idem/sql's own folder holds.
// Only on the Node the run is for: npx, which starts it, runs on the workspace's Node 20 and is left alone.
const { registerHooks } = require('node:module');

if (typeof registerHooks === 'function' && process.versions.node.split('.')[0] === process.env.IDEM_SQLITE13_NODE) {
  const target = require.resolve('better-sqlite3', { paths: [__dirname] });
  registerHooks({
    resolve(specifier, context, nextResolve) {
      return nextResolve(specifier === 'better-sqlite3' ? target : specifier, context);
    },
  });
}
