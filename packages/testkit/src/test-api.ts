/**
 * The test runner's functions, passed in by the caller: the suites work under jest, vitest or node:test
 * alike. Assertions use node:assert, so no runner-specific `expect` is needed. (Method syntax keeps the
 * parameter types bivariant, so jest's and vitest's own `it` are accepted as they are.)
 */
export interface TestApi {
  describe(name: string, fn: () => void): void;
  it(name: string, fn?: TestBody, timeout?: number): void;
  beforeAll(fn?: TestBody, timeout?: number): void;
  afterAll(fn?: TestBody, timeout?: number): void;
}

/** What the suites pass as a test body: an async function of no arguments. Typed loosely enough that
 * runners whose callbacks may also take a `done` argument (jest) are accepted. */
export type TestBody = (...args: never[]) => unknown;
