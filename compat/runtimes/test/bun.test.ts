// @idem/hono and @idem/fetch, with core and the memory and Redis stores, running inside Bun.
import { runtimeScenarioSuite } from '../src';
import { api, appInside, redisStore, userAgentOf } from './support';

const app = appInside('bun');
const memory = () => ({ kind: 'memory' });

it('serves the scenario app from Bun itself', async () => {
  expect(await userAgentOf(app())).toMatch(/^Bun\//);
});

runtimeScenarioSuite(api, 'Hono in Bun, memory store', { app, framework: 'hono', store: memory });
runtimeScenarioSuite(api, 'fetch wrapper in Bun, memory store', { app, framework: 'fetch', store: memory });
runtimeScenarioSuite(api, 'Hono in Bun, Redis store (ioredis)', { app, framework: 'hono', store: redisStore() });
