import { httpScenarioSuite } from '@idem/testkit';
import { MemoryStore } from '@idem/memory';
import { fetchAdapter } from './adapter';

httpScenarioSuite({ describe, it, beforeAll, afterAll }, 'fetch (node:http bridge)', {
  createStore: () => new MemoryStore(),
  createServer: fetchAdapter,
});
