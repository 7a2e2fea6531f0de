// @idem/hono and @idem/fetch, with core and the memory store, running inside workerd (miniflare).
import { runtimeScenarioSuite } from '../src';
import { api, appInside, userAgentOf } from './support';

const app = appInside('workerd');
const memory = () => ({ kind: 'memory' });

it('serves the scenario app from workerd itself', async () => {
  expect(await userAgentOf(app())).toBe('Cloudflare-Workers');
});

runtimeScenarioSuite(api, 'Hono in workerd, memory store', { app, framework: 'hono', store: memory });
runtimeScenarioSuite(api, 'fetch wrapper in workerd, memory store', { app, framework: 'fetch', store: memory });
