import { httpScenarioSuite } from '@idem/testkit';
import { MemoryStore } from '@idem/memory';
import { koaAdapter } from './adapter';

httpScenarioSuite({ describe, it, beforeAll, afterAll }, 'Koa', { createStore: () => new MemoryStore(), createServer: koaAdapter });
