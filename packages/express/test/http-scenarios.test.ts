import { httpScenarioSuite } from '@idem/testkit';
import { MemoryStore } from '@idem/memory';
import { expressAdapter, nodeHttpAdapter } from './adapters';
import { expressVersions } from './express-versions';

const createStore = () => new MemoryStore();

for (const [name, express] of expressVersions) {
  httpScenarioSuite({ describe, it, beforeAll, afterAll }, name, { createStore, createServer: expressAdapter(express) });
}
httpScenarioSuite({ describe, it, beforeAll, afterAll }, 'node:http', { createStore, createServer: nodeHttpAdapter });
