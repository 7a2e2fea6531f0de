/**
 * The Node half of the HTTP scenario suite on Workers. `createServer(setup)` tells the Worker which
 * options to mount (see `worker/scenario-app.ts`) and answers the Worker's calls back into the suite:
 * the scenario handler, the callbacks that touch the suite's state, and stores the suite wraps or fakes.
 * The suite's client talks to workerd over a real socket; each group gets the one Worker URL in turn.
 */
import type { IdempotencyStore } from '@idem/core';
import type { ScenarioServer, ScenarioSetup } from '@idem/testkit';
import type { OptionDescriptor, ScenarioConfig } from '../worker/scenario-app';
import type { StoreKind } from '../worker/stores';
import { RemoteStore } from './remote-store';
import { parseWire, stringifyWire } from './wire-json';
import { startWorkerd, type Workerd } from './workerd';

// Synchronous callbacks core calls without awaiting: the Worker evaluates their (self-contained) source.
const EVALUATED = new Set(['validateKey', 'shouldStore', 'errorHandler', 'keepResponseHeaders', 'key', 'fingerprint', 'now']);
// Callbacks whose return value core ignores: delivered to Node, and each response waits for them.
const HOOKS = new Set(['onCacheHit', 'onCacheMiss', 'onLockConflict', 'onMismatch', 'onStoreError', 'onLeaseLost']);

export interface ScenarioWorkerd {
  createStore(): RemoteStore;
  createServer(setup: ScenarioSetup): Promise<ScenarioServer>;
  dispose(): Promise<void>;
}

export async function startScenarioWorkerd(kind: StoreKind): Promise<ScenarioWorkerd> {
  const setups = new Map<number, ScenarioSetup>();
  let nextId = 1;
  let storeCount = 0;

  const answer = async (run: () => unknown): Promise<string> => {
    try {
      return stringifyWire({ result: await run() });
    } catch (error) {
      return stringifyWire({ thrown: error instanceof Error ? error.message : String(error) });
    }
  };

  const workerd: Workerd = await startWorkerd(async (path, body) => {
    const [, route, id, name] = path.split('/');
    const setup = setups.get(Number(id));
    if (!setup) return stringifyWire({ thrown: `no scenario setup ${id}` });
    const args = parseWire<unknown[]>(body);
    if (route === 'handle') return answer(() => setup.handle(args as never));
    if (route === 'callback')
      return answer(() => (setup.options[name as keyof typeof setup.options] as (...a: unknown[]) => unknown)(...args));
    if (route === 'observe') return answer(() => setup.observe(...(args as Parameters<ScenarioSetup['observe']>)));
    if (route === 'store')
      return answer(() => (setup.options.store[name as keyof IdempotencyStore] as (...a: unknown[]) => unknown)(...args));
    return stringifyWire({ thrown: `unknown bridge route ${path}` });
  });

  const post = async (path: string, body: string) => {
    const response = await fetch(`${workerd.url}${path}`, { method: 'POST', body });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  };

  return {
    createStore: () => new RemoteStore(workerd.url, kind, `http-${++storeCount}-${Date.now()}:`),
    async createServer(setup) {
      const id = nextId++;
      setups.set(id, setup);
      const { store, ...rest } = setup.options;
      const options: Record<string, OptionDescriptor> = {};
      for (const [name, value] of Object.entries(rest)) {
        if (typeof value !== 'function') options[name] = { value };
        else if (EVALUATED.has(name)) options[name] = { source: value.toString() };
        else options[name] = { bridged: HOOKS.has(name) ? 'hook' : 'call' };
      }
      // The store under test runs on the Worker's own binding; a wrapper or a fake stays in Node.
      const config: ScenarioConfig = {
        id,
        store: store instanceof RemoteStore && store.kind === kind ? { kind, prefix: store.prefix } : { bridged: true },
        options,
      };
      await post('/__harness/setup', stringifyWire(config));
      return {
        url: workerd.url,
        close: async () => {
          await post('/__harness/teardown', '');
          setups.delete(id);
        },
      };
    },
    dispose: () => workerd.dispose(),
  };
}
