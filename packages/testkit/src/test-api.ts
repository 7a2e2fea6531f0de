/**
 * The test runner's functions, passed in by the caller: the suites work under jest, vitest or node:test
 * alike. Assertions use node:assert, so no runner-specific `expect` is needed.
 */
export interface TestApi {
  describe: (name: string, fn: () => void) => void;
  it: (name: string, fn: () => Promise<void> | void, timeout?: number) => void;
  beforeAll: (fn: () => Promise<void> | void, timeout?: number) => void;
  afterAll: (fn: () => Promise<void> | void, timeout?: number) => void;
}
