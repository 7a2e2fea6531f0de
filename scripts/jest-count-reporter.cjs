// Writes each jest run's pass/fail/skip counts to .test-results/<package>.json so the root test
// command can print one total line across every package.
const fs = require('node:fs');
const path = require('node:path');

class CountReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const outDir = path.join(__dirname, '..', '.test-results');
    fs.mkdirSync(outDir, { recursive: true });
    const name = path.relative(path.join(__dirname, '..'), this.rootDir).replace(/[\\/]/g, '__') || 'root';
    const counts = {
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
    };
    fs.writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify(counts));
  }
}

module.exports = CountReporter;
