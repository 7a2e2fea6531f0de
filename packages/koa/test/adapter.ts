/** Mounts the middleware in a Koa app around the shared scenario handler. */
import Koa from 'koa';
import { listen, type ScenarioSetup } from '@idem/testkit';
import { idempotency, idempotencyTransaction, type IdempotencyState } from '../src';

export async function koaAdapter(setup: ScenarioSetup) {
  const app = new Koa<IdempotencyState>();
  app.silent = true; // the scenario's thrown errors are expected: Koa answers 500 without logging them
  app.use(async (ctx, next) => {
    try {
      await next();
    } finally {
      setup.observe(ctx.headers, ctx.state.idempotency);
    }
  });
  app.use(idempotency(setup.options));
  // The app's own error handling, below idem: it answers a failure with a 500, or throws in turn.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch {
      if (ctx.get('x-scenario-error-handler') === 'throw') throw new Error('the error handler failed too');
      ctx.status = 500;
      ctx.body = 'internal error';
    }
  });
  // No body parser: the handler reads the raw stream the middleware left intact.
  app.use(async (ctx) => {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    const response = await setup.handle({
      method: ctx.method,
      url: ctx.originalUrl,
      headers: ctx.headers,
      body: Buffer.concat(chunks),
      transaction: (work, options) => idempotencyTransaction(ctx)(work, options),
    });
    ctx.status = response.status;
    ctx.set(response.headers);
    ctx.body = Buffer.from(response.body);
  });
  return listen(app.callback());
}
