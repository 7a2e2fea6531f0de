// @idem/hono and @idem/fetch, with core and the memory store, running inside workerd (miniflare).
import { runtimeScenarioSuite } from '../src';
import { api, appInside, userAgentOf } from './support';

const app = appInside('workerd');
const memory = () => ({ kind: 'memory' });

it('serves the scenario app from workerd itself', async () => {
  expect(await userAgentOf(app())).toBe('Cloudflare-Workers');
});

// Bun and Deno abort a request's signal when its client hangs up; workerd (miniflare) here does not, so
// idem is never told that the client of a handler that never ends has left.
const notApplicable = {
  'gives the key back one lease period after the client left a handler that never ends':
    "workerd does not abort the request's signal when its client hangs up",
};

runtimeScenarioSuite(api, 'Hono in workerd, memory store', { app, framework: 'hono', store: memory, notApplicable });
runtimeScenarioSuite(api, 'fetch wrapper in workerd, memory store', { app, framework: 'fetch', store: memory, notApplicable });
