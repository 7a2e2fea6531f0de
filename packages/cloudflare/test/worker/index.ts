/**
 * The test Worker (bundled by the harness, run in workerd by miniflare): the package's Durable Object,
 * the store RPC for the conformance suite, and the HTTP scenario app of the group Node set up last.
 */
import { parseWire } from '../harness/wire-json';
import { scenarioApp, type ScenarioConfig, type ScenarioEnv } from './scenario-app';
import { handleStoreCall } from './store-rpc';
import { handleStoredCall, InspectableDurableObject } from './stored-records';

// The package's object, plus one path that tells whether a record is still in storage (stored-records.ts).
export { InspectableDurableObject as IdempotencyDurableObject };

// Scenario groups run one after another (jest runs a file's describe blocks in order), so one app at a time.
let current: { fetch(request: Request): Response | Promise<Response> } | undefined;

export default {
  async fetch(request: Request, env: ScenarioEnv): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === '/__harness/store') return handleStoreCall(request, env);
    if (pathname === '/__harness/stored') return handleStoredCall(request, env.IDEMPOTENCY);
    if (pathname === '/__harness/setup') {
      current = await scenarioApp(parseWire<ScenarioConfig>(await request.text()), env);
      return new Response('ready');
    }
    if (pathname === '/__harness/teardown') {
      current = undefined;
      return new Response('gone');
    }
    if (!current) return new Response('no scenario app is set up', { status: 503 });
    return current.fetch(request);
  },
};
