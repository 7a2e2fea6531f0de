/**
 * The suite's `it`, minus the scenarios a runtime cannot apply: each listed one is registered through
 * the runner's own `it.skip` with the reason in its name, so the run reports it as skipped, by name.
 */
import type { TestApi, TestBody } from './test-api';

export interface ScenarioIt {
  (name: string, fn?: TestBody, timeout?: number): void;
  /** Throws when a listed name matched no scenario (a typo, or a scenario renamed since). */
  assertAllMatched(): void;
}

export function notApplicableSkipper(test: TestApi, notApplicable: Record<string, string>): ScenarioIt {
  const unmatched = new Set(Object.keys(notApplicable));
  const skip = (test.it as { skip?: (name: string, fn?: TestBody) => void }).skip;
  if (unmatched.size > 0 && typeof skip !== 'function') throw new Error('notApplicable needs a test runner whose `it` has `it.skip`');
  const it = ((name: string, fn?: TestBody, timeout?: number) => {
    if (!Object.hasOwn(notApplicable, name)) return test.it(name, fn, timeout);
    unmatched.delete(name);
    skip!.call(test.it, `${name} (not applicable: ${notApplicable[name]})`, fn);
  }) as ScenarioIt;
  it.assertAllMatched = () => {
    if (unmatched.size > 0)
      throw new Error(`notApplicable names no scenario: ${[...unmatched].map((name) => JSON.stringify(name)).join(', ')}`);
  };
  return it;
}
