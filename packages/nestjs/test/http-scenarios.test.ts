import { httpScenarioSuite } from '@idem/testkit';
import { MemoryStore } from '@idem/memory';
import { nestExpressAdapter, nestExpressNoParserAdapter, nestFastifyAdapter } from './adapters';

const createStore = () => new MemoryStore();

httpScenarioSuite({ describe, it, beforeAll, afterAll }, 'NestJS on Express', { createStore, createServer: nestExpressAdapter });
httpScenarioSuite({ describe, it, beforeAll, afterAll }, 'NestJS on Fastify', { createStore, createServer: nestFastifyAdapter });
httpScenarioSuite({ describe, it, beforeAll, afterAll }, 'NestJS on Express, no body parser', {
  createStore,
  createServer: nestExpressNoParserAdapter,
});
