import { httpScenarioSuite } from '@idem/testkit';
import { MemoryStore } from '@idem/memory';
import { fastifyAdapter } from './adapter';

httpScenarioSuite({ describe, it, beforeAll, afterAll }, 'Fastify 5', {
  createStore: () => new MemoryStore(),
  createServer: fastifyAdapter,
});
