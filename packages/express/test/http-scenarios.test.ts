import { httpScenarioSuite } from '@idem/testkit';
import { MemoryStore } from '@idem/memory';
import { expressAdapter, nodeHttpAdapter } from './adapters';
import { expressVersions } from './express-versions';

const createStore = () => new MemoryStore();

for (const [name, express] of expressVersions) {
  httpScenarioSuite({ describe, it, beforeAll, afterAll }, name, { createStore, createServer: expressAdapter(express) });
}
httpScenarioSuite({ describe, it, beforeAll, afterAll }, 'node:http', {
  createStore,
  createServer: nodeHttpAdapter,
  notApplicable: {
    "gives the key back at once when the handler fails and the framework's own error handler throws too: nothing replayed, a retry runs":
      'plain node:http has no error handler of its own: the app answers its failures itself',
  },
});
