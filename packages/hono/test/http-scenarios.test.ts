import { httpScenarioSuite } from '@idem/testkit';
import { MemoryStore } from '@idem/memory';
import { honoNodeAdapter } from './adapter';

httpScenarioSuite({ describe, it, beforeAll, afterAll }, 'Hono (@hono/node-server)', {
  createStore: () => new MemoryStore(),
  createServer: honoNodeAdapter,
});
