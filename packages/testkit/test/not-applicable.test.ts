import { httpScenarioSuite, type HttpSuiteOptions, type TestApi } from '../src';

/** A runner that only records what the suite registers (no server is ever started). */
function recordingRunner() {
  const ran: string[] = [];
  const skipped: string[] = [];
  const it = Object.assign((name: string) => void ran.push(name), { skip: (name: string) => void skipped.push(name) });
  const api: TestApi = { describe: (_name, fn) => fn(), it, beforeAll: () => undefined, afterAll: () => undefined };
  return { api, ran, skipped };
}

const unreachable: HttpSuiteOptions = {
  createServer: () => Promise.reject(new Error('not started in this test')),
  createStore: () => Promise.reject(new Error('not started in this test')),
};

it('reports a not-applicable scenario as skipped, by name and with the reason, and runs every other one', () => {
  const everything = recordingRunner();
  httpScenarioSuite(everything.api, 'all', unreachable);
  const runner = recordingRunner();
  httpScenarioSuite(runner.api, 'some', { ...unreachable, notApplicable: { 'accepts a key of 255 characters': 'no such keys here' } });
  expect(runner.skipped).toEqual(['accepts a key of 255 characters (not applicable: no such keys here)']);
  expect(runner.ran).not.toContain('accepts a key of 255 characters');
  expect(runner.ran).toHaveLength(everything.ran.length - 1);
});

it('fails the suite when a not-applicable name matches no scenario', () => {
  const runner = recordingRunner();
  expect(() =>
    httpScenarioSuite(runner.api, 'typo', { ...unreachable, notApplicable: { 'accepts a key of 256 characters': 'typo' } }),
  ).toThrow(/notApplicable names no scenario: "accepts a key of 256 characters"/);
});

it('needs the runner to have it.skip only when something is listed', () => {
  const api: TestApi = { describe: (_name, fn) => fn(), it: () => undefined, beforeAll: () => undefined, afterAll: () => undefined };
  expect(() => httpScenarioSuite(api, 'plain', unreachable)).not.toThrow();
  expect(() => httpScenarioSuite(api, 'no skip', { ...unreachable, notApplicable: { 'accepts a key of 255 characters': 'x' } })).toThrow(
    /it\.skip/,
  );
});
