export { startApp, type RunningApp, type Runtime, type WorkerdOptions } from './launch';
export { bundleApp, type BundleTarget } from './bundle';
export { bunBinary, denoBinary } from './binaries';
export { runtimeScenarioSuite, type RuntimeSuiteOptions } from './scenario-suite';
