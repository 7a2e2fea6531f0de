/** jest's functions in the shape the testkit suites take (jest's `it` typing is stricter about callbacks). */
import type { TestApi } from '@idem/testkit';

export const jestApi: TestApi = { describe, it: it as unknown as TestApi['it'], beforeAll, afterAll };
