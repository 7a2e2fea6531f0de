/**
 * The HTTP scenario suite against an app running inside another runtime. The suite's client talks to
 * the runtime's own socket; the runtime builds each group's app itself (see `inside/scenario-app.ts`),
 * and calls back here for the scenario handler and to report its hook and store calls, which this
 * side plays into the group's own options so every assertion of the suite holds as written.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IdempotencyStore } from '@idem/core';
import { httpScenarioSuite, listen, type ScenarioServer, type ScenarioSetup, type TestApi } from '@idem/testkit';
import type { RunningApp } from './launch';
import { decode, encode } from './wire';

export interface RuntimeSuiteOptions {
  /** The running app (started in a `beforeAll` of the test file). */
  app: () => RunningApp;
  framework: 'hono' | 'fetch';
  /** The store the runtime builds per group: `{ kind: 'memory' }` or `{ kind: 'redis', url, prefix }`. */
  store: (group: string) => { kind: string } & Record<string, unknown>;
  notApplicable?: Record<string, string>;
}

/** This side's store: the group options wrap it, the runtime's calls are replayed into them, its answers unused. */
const replayTarget: IdempotencyStore = {
  acquire: async () => ({ status: 'acquired', token: 0 }) as never,
  complete: async () => undefined as never,
  release: async () => true as never,
  extend: async () => true as never,
  get: async () => undefined as never,
  delete: async () => undefined,
  close: async () => undefined,
};

export function runtimeScenarioSuite(test: TestApi, name: string, options: RuntimeSuiteOptions): void {
  let current: ScenarioSetup | undefined;
  let mirror: ScenarioServer | undefined;

  test.beforeAll(async () => {
    mirror = await listen((req, res) => void answer(req, res, () => current));
  });
  test.afterAll(async () => {
    await mirror?.close();
  });

  httpScenarioSuite(test, name, {
    createStore: () => replayTarget,
    ...(options.notApplicable ? { notApplicable: options.notApplicable } : {}),
    createServer: async (setup) => {
      const app = options.app();
      await control(app, 'open', {
        group: setup.group,
        framework: options.framework,
        store: options.store(setup.group),
        mirror: mirror!.url,
      });
      current = setup;
      return {
        url: app.url,
        close: async () => {
          current = undefined;
          await control(app, 'close', {});
        },
      };
    },
  });
}

async function control(app: RunningApp, action: 'open' | 'close', body: object): Promise<void> {
  const response = await fetch(`${app.url}/__scenario/${action}`, { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`the runtime could not ${action} the scenario group: ${await response.text()}`);
}

async function answer(req: IncomingMessage, res: ServerResponse, setup: () => ScenarioSetup | undefined): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const message = decode(Buffer.concat(chunks)) as Record<string, unknown>;
  const group = setup();
  if (!group) {
    res.writeHead(409).end('no scenario group is open');
    return;
  }
  if (req.url === '/handle') {
    let reply: unknown;
    try {
      reply = await group.handle(message as never);
    } catch (error) {
      reply = { failed: (error as Error).message };
    }
    res.end(encode(reply));
    return;
  }
  const { kind, name, args } = message as { kind: 'hook' | 'store' | 'observe'; name: string; args: unknown[] };
  if (kind === 'observe') {
    group.observe(...(args as Parameters<ScenarioSetup['observe']>));
    res.end();
    return;
  }
  const target = (kind === 'hook' ? group.options : group.options.store) as unknown as Record<
    string,
    ((...a: unknown[]) => unknown) | undefined
  >;
  try {
    await target[name]?.(...args);
  } catch {
    // The group's own store may be one that always fails: its answer is not the runtime's.
  }
  res.end();
}
