// @idem/hono and @idem/fetch, with core and the memory and Redis stores, running inside Deno.
import { runtimeScenarioSuite } from '../src';
import { api, appInside, redisStore, userAgentOf } from './support';

const app = appInside('deno');
const memory = () => ({ kind: 'memory' });

it('serves the scenario app from Deno itself', async () => {
  expect(await userAgentOf(app())).toMatch(/^Deno\//);
});

runtimeScenarioSuite(api, 'Hono in Deno, memory store', { app, framework: 'hono', store: memory });
runtimeScenarioSuite(api, 'fetch wrapper in Deno, memory store', { app, framework: 'fetch', store: memory });
runtimeScenarioSuite(api, 'Hono in Deno, Redis store (ioredis)', { app, framework: 'hono', store: redisStore() });
