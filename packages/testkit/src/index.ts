export type { TestApi } from './test-api';
export { serviceUrls, servicesRequired, serviceAvailable, serviceReachableSync } from './services';
export { leaveMidBody, leaveMidHandler } from './http-client';
export { storeConformanceSuite, type StoreSuiteOptions } from './store-suite';
export { runProcessRace, type RaceOptions, type RaceResult } from './race';
export {
  httpScenarioSuite,
  listen,
  readRequestHeader,
  type HttpSuiteOptions,
  type ScenarioSetup,
  type ScenarioServer,
  type ScenarioHandler,
  type ScenarioRequest,
  type ScenarioResponse,
} from './http-suite';
export { httpTransactionSuite, type HttpTransactionSuiteOptions, type TransactionLedger } from './http-transaction-suite';
export { frozenRenewals } from './http-stores';
export { terminateAfterAnswerUnread, type TerminateAfterAnswerOptions } from './postgres-faults';
