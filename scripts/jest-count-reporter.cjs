// Writes each jest run's pass/fail/skip counts (and when it started and ended) to
// .test-results/<package>.json so the root test command can print one total line across every package,
// and where the wall time of the run went.
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
      startedAt: results.startTime,
      endedAt: Date.now(),
    };
    fs.writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify(counts));
  }
}

module.exports = CountReporter;
