/**
 * The app that runs INSIDE Bun, Deno or workerd. It takes the HTTP suite's groups from the suite itself
 * (run here with a runner that only collects each group's setup), so each group gets exactly the options
 * its scenarios were written for. The suite drives it over a socket:
 *
 * - `POST /__scenario/open` `{ group, framework, store, mirror }` builds that group's app (Hono or the
 *   fetch wrapper, on a fresh store); every other request then goes to it, until
 * - `POST /__scenario/close` closes the group's store;
 * - `GET /__scenario/runtime` answers the runtime's `navigator.userAgent` (which runtime this really is).
 *
 * The route handler is the suite's scenario handler, reached at `mirror` (so the suite counts the runs),
 * and every hook and store call made here is reported there too, so the suite's spies see what the
 * runtime did. The middleware, core and the store all run here.
 */
import { Hono } from 'hono';
import type { IdempotencyOptions, IdempotencyStore } from '@idem/core';
import { idempotency as honoIdempotency, type IdempotencyEnv } from '@idem/hono';
import { idempotency as fetchIdempotency, idempotencyOutcome } from '@idem/fetch';
import { httpScenarioSuite, type ScenarioHandler, type ScenarioSetup, type TestApi } from '@idem/testkit';
import { forwardedHandler, outcomeReporter, reportHooks, reportStoreCalls } from './mirror';

export type StoreFactory = (config: Record<string, unknown>) => IdempotencyStore | Promise<IdempotencyStore>;

interface OpenRequest {
  group: string;
  framework: 'hono' | 'fetch';
  store: { kind: string } & Record<string, unknown>;
  mirror: string;
}

interface Collected {
  beforeAll: Array<() => unknown>;
  afterAll: Array<() => unknown>;
}

export function scenarioRuntime(stores: Record<string, StoreFactory>): (request: Request) => Promise<Response> {
  let open: { app: (request: Request) => Promise<Response>; pending: Set<Promise<unknown>>; close: () => Promise<void> } | undefined;

  const openGroup = async (body: OpenRequest): Promise<void> => {
    if (open) throw new Error('a scenario group is still open: groups run one at a time');
    const factory = stores[body.store.kind];
    if (!factory) throw new Error(`no store "${body.store.kind}" in this runtime`);
    const pending = new Set<Promise<unknown>>();
    let built: ScenarioSetup | undefined;
    const groups = collectGroups({
      createStore: () => factory(body.store),
      createServer: async (setup) => {
        built = setup;
        return { url: '', close: async () => undefined };
      },
    });
    const group = groups.get(body.group);
    if (!group) throw new Error(`no scenario group "${body.group}" in this build of the suite`);
    for (const hook of group.beforeAll) await hook();
    const options = reportHooks(built!.options, body.mirror, pending);
    options.store = reportStoreCalls(options.store, body.mirror, pending);
    const handle = forwardedHandler(body.mirror);
    const observe = outcomeReporter(body.mirror, pending);
    open = {
      app: body.framework === 'hono' ? honoApp(options, handle, observe) : fetchApp(options, handle, observe),
      pending,
      close: async () => {
        for (const hook of group.afterAll) await hook();
      },
    };
  };

  return async (request) => {
    const path = new URL(request.url).pathname;
    try {
      if (path === '/__scenario/runtime') return new Response(navigator.userAgent);
      if (path === '/__scenario/open') {
        await openGroup((await request.json()) as OpenRequest);
        return new Response('opened');
      }
      if (path === '/__scenario/close') {
        const closing = open;
        open = undefined;
        await closing?.close();
        return new Response('closed');
      }
    } catch (error) {
      return new Response(String((error as Error).stack ?? error), { status: 500, headers: { 'x-scenario-control': 'failed' } });
    }
    if (!open) return new Response('no scenario group is open', { status: 503, headers: { 'x-scenario-control': 'failed' } });
    const { app, pending } = open;
    const response = await app(request);
    // What this request made the hooks and the store report reaches the suite before its answer does.
    await Promise.allSettled([...pending]);
    return response;
  };
}

/** Every scenario group of the suite, by title, with the hooks that open and close it. */
function collectGroups(suite: Pick<Parameters<typeof httpScenarioSuite>[2], 'createStore' | 'createServer'>): Map<string, Collected> {
  const groups = new Map<string, Collected>();
  const path: string[] = [];
  const current = () => {
    const title = path.at(-1)!;
    if (!groups.has(title)) groups.set(title, { beforeAll: [], afterAll: [] });
    return groups.get(title)!;
  };
  const collector: TestApi = {
    describe: (name, fn) => {
      path.push(name);
      fn();
      path.pop();
    },
    it: () => undefined,
    beforeAll: (fn) => void current().beforeAll.push(fn as () => unknown),
    afterAll: (fn) => void current().afterAll.push(fn as () => unknown),
  };
  httpScenarioSuite(collector, 'in the runtime', suite);
  return groups;
}

function toResponse(response: Awaited<ReturnType<ScenarioHandler>>): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return new Response(response.body as BodyInit, { status: response.status, headers });
}

async function scenarioRequest(request: Request) {
  const url = new URL(request.url);
  return {
    method: request.method,
    url: url.pathname + url.search,
    headers: headerRecord(request),
    body: new Uint8Array(await request.arrayBuffer()),
  };
}

type Observe = (headers: Record<string, string>, outcome: unknown) => void;

function headerRecord(request: Request): Record<string, string> {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

function honoApp(options: IdempotencyOptions, handle: ScenarioHandler, observe: Observe) {
  const app = new Hono<IdempotencyEnv>();
  app.use(async (c, next) => {
    await next();
    observe(c.req.header(), c.get('idempotency'));
  });
  app.use(honoIdempotency(options));
  app.all('*', async (c) => toResponse(await handle(await scenarioRequest(c.req.raw))));
  return async (request: Request) => app.fetch(request);
}

function fetchApp(options: IdempotencyOptions, handle: ScenarioHandler, observe: Observe) {
  const protect = fetchIdempotency(options);
  const handler = protect(async (request: Request) => toResponse(await handle(await scenarioRequest(request))));
  return async (request: Request) => {
    try {
      const response = await handler(request);
      observe(headerRecord(request), idempotencyOutcome(response));
      return response;
    } catch {
      // What a platform does with a handler that throws: a bare 500.
      return new Response('internal error', { status: 500 });
    }
  };
}
