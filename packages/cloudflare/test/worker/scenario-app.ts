/**
 * The HTTP scenario suite's app, running in workerd: Hono + `@idem/hono` on the store under test
 * (its real binding), configured from Node per scenario group. What belongs to the suite in Node stays
 * there and is reached through the `BRIDGE` service binding: the scenario handler (so Node counts its
 * runs), callbacks that touch the suite's state (hooks, `skip`, `scope`) and any store the suite wraps
 * or fakes. Pure synchronous callbacks (`validateKey`, `shouldStore`, `errorHandler`) cannot wait for
 * Node, so their source is evaluated here.
 */
import { Hono, type Context } from 'hono';
import type { IdempotencyOptions, IdempotencyStore } from '@idem/core';
import { idempotency } from '@idem/hono';
import { parseWire, stringifyWire } from '../harness/wire-json';
import { storeFor, type StoreEnv, type StoreKind } from './stores';

export interface ScenarioEnv extends StoreEnv {
  BRIDGE: { fetch(input: string, init: { method: string; body: string }): Promise<Response> };
  UNSAFE_EVAL: { eval(code: string): unknown };
}

export type OptionDescriptor = { value: unknown } | { source: string } | { bridged: 'call' | 'hook' };

export interface ScenarioConfig {
  id: number;
  /** The store under test on its binding, or a store that lives in Node (a wrapper or a fake). */
  store: { kind: StoreKind; prefix: string } | { bridged: true };
  options: Record<string, OptionDescriptor>;
}

/** Hook calls still on their way to Node: every response waits for them, so the suite sees its events. */
const pendingHooks = new Set<Promise<unknown>>();

async function callNode(env: ScenarioEnv, path: string, payload: unknown): Promise<unknown> {
  const answer = await env.BRIDGE.fetch(`http://bridge${path}`, { method: 'POST', body: stringifyWire(payload) });
  const reply = parseWire<{ result?: unknown; thrown?: string }>(await answer.text());
  if (reply.thrown !== undefined) throw new Error(reply.thrown);
  return reply.result;
}

/** What Node gets for an argument: a Hono context becomes its request's method, URL and headers. */
function toNodeArgument(argument: unknown): unknown {
  const context = argument as Context | undefined;
  if (context && typeof context === 'object' && 'req' in context && context.req?.raw instanceof Request) {
    return { method: context.req.method, url: context.req.url, headers: context.req.header() };
  }
  if (argument instanceof Error) {
    const { code, status, callback } = argument as Error & { code?: string; status?: number; callback?: string };
    return { name: argument.name, message: argument.message, code, status, callback };
  }
  return argument;
}

function bridgedStore(env: ScenarioEnv, id: number): IdempotencyStore {
  const method =
    (name: keyof IdempotencyStore) =>
    (...args: unknown[]) =>
      callNode(env, `/store/${id}/${name}`, args) as Promise<never>;
  return {
    acquire: method('acquire'),
    complete: method('complete'),
    release: method('release'),
    extend: method('extend'),
    get: method('get'),
    delete: method('delete'),
    close: async () => undefined,
  };
}

export async function scenarioApp(config: ScenarioConfig, env: ScenarioEnv): Promise<Hono> {
  const store = 'bridged' in config.store ? bridgedStore(env, config.id) : await storeFor(env, config.store.kind, config.store.prefix);
  const options: Record<string, unknown> = { store };
  for (const [name, descriptor] of Object.entries(config.options)) {
    if ('value' in descriptor) options[name] = descriptor.value;
    else if ('source' in descriptor) options[name] = env.UNSAFE_EVAL.eval(`(${descriptor.source})`);
    else if (descriptor.bridged === 'call')
      options[name] = (...args: unknown[]) => callNode(env, `/callback/${config.id}/${name}`, args.map(toNodeArgument));
    else {
      // The hook's own promise goes back to core, so a hook that throws in Node rejects here (and core
      // reports it); the response waits for the delivery either way.
      options[name] = (...args: unknown[]) => {
        const call = callNode(env, `/callback/${config.id}/${name}`, args.map(toNodeArgument));
        const delivery = call.catch(() => undefined);
        pendingHooks.add(delivery);
        void delivery.finally(() => pendingHooks.delete(delivery));
        return call;
      };
    }
  }

  const app = new Hono();
  // Hono's default error handler also logs; the suite's thrown handler is expected, so answer quietly.
  app.onError((_error, c) => c.text('Internal Server Error', 500));
  app.use(async (c, next) => {
    await next();
    await Promise.all(pendingHooks);
    // What the app reads as c.get('idempotency'), handed to the suite's observer in Node.
    await callNode(env, `/observe/${config.id}`, [c.req.header(), c.get('idempotency' as never)]).catch(() => undefined);
  });
  app.use(idempotency(options as unknown as IdempotencyOptions<Context>));
  app.all('*', async (c) => {
    const url = new URL(c.req.url);
    const body = new Uint8Array(await c.req.arrayBuffer());
    const reply = (await callNode(env, `/handle/${config.id}`, {
      method: c.req.method,
      url: url.pathname + url.search,
      headers: c.req.header(),
      body,
    })) as {
      status: number;
      headers: Record<string, string | string[]>;
      body: Uint8Array;
    };
    const headers = new Headers();
    for (const [name, value] of Object.entries(reply.headers))
      for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
    return new Response(reply.body as Uint8Array<ArrayBuffer>, { status: reply.status, headers });
  });
  return app;
}
