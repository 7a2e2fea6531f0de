/** Mounts the middleware in a Hono app around the shared scenario handler. */
import { Hono } from 'hono';
import { createAdaptorServer } from '@hono/node-server';
import { listen, type ScenarioResponse, type ScenarioSetup } from '@idem/testkit';
import { idempotency, idempotencyTransaction, type IdempotencyEnv } from '../src';

export function toResponse(response: ScenarioResponse): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return new Response(response.body as BodyInit, { status: response.status, headers });
}

export function scenarioApp(setup: ScenarioSetup): Hono<IdempotencyEnv> {
  const app = new Hono<IdempotencyEnv>();
  app.use(async (c, next) => {
    try {
      await next();
    } finally {
      setup.observe(c.req.header(), c.get('idempotency'));
    }
  });
  app.use(idempotency(setup.options));
  app.onError((_error, c) => {
    if (c.req.header('x-scenario-error-handler') === 'throw') throw new Error('the error handler failed too');
    return c.text('internal error', 500);
  });
  app.all('*', async (c) => {
    const url = new URL(c.req.url);
    const body = new Uint8Array(await c.req.arrayBuffer());
    return toResponse(
      await setup.handle({
        method: c.req.method,
        url: url.pathname + url.search,
        headers: c.req.header(),
        body,
        transaction: (work, options) => idempotencyTransaction(c)(work, options),
      }),
    );
  });
  return app;
}

/** A real Node server through @hono/node-server. */
export async function honoNodeAdapter(setup: ScenarioSetup) {
  return listen(createAdaptorServer({ fetch: scenarioApp(setup).fetch }) as Parameters<typeof listen>[0]);
}
