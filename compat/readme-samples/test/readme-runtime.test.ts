// README samples whose runtime behaviour matters beyond their types, run as written against the built
// packages: Fastify's registration blocks (one registration per app) and the Hono and Koa outcome
// loggers (on a path the middleware is not mounted on).
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { idempotency as koaIdempotency, type IdempotencyState } from '@idem/koa';
import { idempotency as honoIdempotency, type IdempotencyEnv } from '@idem/hono';
import { MemoryStore } from '@idem/memory';
import { findSample, runSample } from '../src/run-sample';

const store = new MemoryStore();
afterAll(() => store.close());

describe('@idem/fastify README', () => {
  let runs = 0;
  const handler = async (_request: FastifyRequest, reply: FastifyReply) => reply.code(201).send({ run: ++runs });
  const started: ReturnType<typeof Fastify>[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((app) => app.close()));
  });
  /** Fastify's inject loads an ESM-only module under jest: requests go over a real socket instead. */
  const send = async (app: ReturnType<typeof Fastify>, url: string, headers: Record<string, string>) => {
    if (!app.server.listening) {
      await app.listen({ port: 0, host: '127.0.0.1' });
      started.push(app);
    }
    const { port } = app.server.address() as { port: number };
    const response = await fetch(`http://127.0.0.1:${port}${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: '{"amount":1}',
    });
    return { status: response.status, replayed: response.headers.get('idempotent-replayed'), body: await response.json() };
  };
  const post = (app: ReturnType<typeof Fastify>, url: string, key?: string) => send(app, url, key ? { 'idempotency-key': key } : {});

  beforeEach(() => {
    runs = 0;
  });

  it('per route, global: false: only the routes that ask are protected, with their own options', async () => {
    const app = Fastify();
    await runSample(findSample('packages/fastify/README.md', 'global: false'), { app, store, handler }, require);
    await app.ready();
    const key = randomUUID();
    expect((await post(app, '/payments', key)).body).toEqual({ run: 1 });
    const retry = await post(app, '/payments', key);
    expect([retry.body, retry.replayed]).toEqual([{ run: 1 }, 'true']);
    expect((await post(app, '/refunds')).status).toBe(400); // its own requireKey
  });

  it('per route, global: every route but the one that opts out', async () => {
    const app = Fastify();
    await runSample(findSample('packages/fastify/README.md', 'idempotency: false'), { app, store, handler }, require);
    app.post('/payments', handler);
    await app.ready();
    const key = randomUUID();
    await post(app, '/webhooks', key);
    expect((await post(app, '/webhooks', key)).body).toEqual({ run: 2 }); // opted out: runs again
    await post(app, '/payments', key);
    expect((await post(app, '/payments', key)).replayed).toBe('true');
  });

  it('options: maxBodyBytes and a per-user scope in one registration', async () => {
    const app = Fastify();
    app.addHook('onRequest', async (request) => {
      (request as FastifyRequest & { user?: { id: string } }).user = { id: String(request.headers['x-user']) };
    });
    await runSample(findSample('packages/fastify/README.md', 'maxBodyBytes: 10 * 1024 * 1024'), { app, store }, require);
    app.post('/payments', handler);
    await app.ready();
    const key = randomUUID();
    const as = (user: string) => send(app, '/payments', { 'idempotency-key': key, 'x-user': user });
    await as('ann');
    expect((await as('ann')).replayed).toBe('true');
    expect((await as('bob')).body).toEqual({ run: 2 }); // the same key in another user's scope
  });
});

describe('@idem/hono README', () => {
  it('outcome logger: answers a path the middleware is not mounted on, and logs the outcome where it is', async () => {
    const info = jest.spyOn(console, 'info').mockImplementation(() => undefined);
    try {
      const app = new Hono<IdempotencyEnv>();
      await runSample(findSample('packages/hono/README.md', "c.get('idempotency')"), { app }, require);
      app.use('/payments/*', honoIdempotency({ store }));
      app.post('/payments/:id', (c) => c.json({ charged: c.req.param('id') }, 201));
      app.get('/health', (c) => c.text('ok'));
      expect((await app.request('/health')).status).toBe(200);
      const key = randomUUID();
      const paid = await app.request('/payments/1', { method: 'POST', headers: { 'idempotency-key': key }, body: '{}' });
      expect(paid.status).toBe(201);
      expect(info.mock.calls).toEqual([[{ guarded: true, replayed: false, stored: true, key }]]);
    } finally {
      info.mockRestore();
    }
  });
});

describe('@idem/koa README', () => {
  it('outcome logger: answers a route the middleware is not mounted on, and logs the outcome where it is', async () => {
    const info = jest.spyOn(console, 'info').mockImplementation(() => undefined);
    const app = new Koa<IdempotencyState>();
    await runSample(findSample('packages/koa/README.md', 'ctx.state.idempotency'), { app }, require);
    const guard = koaIdempotency({ store });
    app.use((ctx, next) => (ctx.path === '/payments' ? guard(ctx, next) : next())); // as a router mounts it on one route
    app.use((ctx) => {
      ctx.status = 201;
      ctx.body = { ok: true };
    });
    const server = app.listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as { port: number };
      const key = randomUUID();
      const send = (path: string) =>
        fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'idempotency-key': key }, body: '{}' });
      expect((await send('/health')).status).toBe(201);
      expect((await send('/payments')).status).toBe(201);
      expect(info.mock.calls).toEqual([[{ guarded: true, replayed: false, stored: true, key }]]);
    } finally {
      info.mockRestore();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
