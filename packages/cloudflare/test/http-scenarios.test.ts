/**
 * The HTTP scenario suite (in Node, over real sockets) against a Hono app with `@idem/hono` running in
 * workerd on each store: the Durable Object store and the D1 store, both on their real bindings.
 */
import { httpScenarioSuite } from '@idem/testkit';
import { startScenarioWorkerd, type ScenarioWorkerd } from './harness/scenario-bridge';
import type { StoreKind } from './worker/stores';

const stores: Array<[string, StoreKind]> = [
  ['Hono on workerd, DurableObjectStore', 'durable-object'],
  ['Hono on workerd, D1Store', 'd1'],
];

for (const [name, kind] of stores) {
  describe(name, () => {
    let workerd: ScenarioWorkerd;
    beforeAll(async () => {
      workerd = await startScenarioWorkerd(kind);
    }, 60_000);
    afterAll(() => workerd?.dispose());

    httpScenarioSuite({ describe, it, beforeAll, afterAll }, name, {
      createStore: () => workerd.createStore(),
      createServer: (setup) => workerd.createServer(setup),
      notApplicable: {
        'gives the key back one lease period after the client left a handler that never ends':
          "workerd here does not abort the request's signal when its client hangs up, so idem is never told the client left",
      },
    });
  });
}
