import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import { ConfigurationError } from '@idem/core';
import { MemoryStore } from '@idem/memory';
import { idempotency, type IdempotencyOutcome, type IdempotencyState, type KoaIdempotencyOptions } from '../src';

const store = new MemoryStore();
const servers: Server[] = [];
afterAll(() => store.close());
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function start(app: Koa<IdempotencyState>): Promise<string> {
  app.silent = true;
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function appWith(options: Partial<KoaIdempotencyOptions> = {}): Koa<IdempotencyState> {
  const app = new Koa<IdempotencyState>();
  app.use(idempotency({ store, ...options }));
  return app;
}

const post = (base: string, key: string | undefined, body = '{"amount":100}', path = '/payments') =>
  fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body,
  });

describe('@idem/koa', () => {
  it('leaves ctx.state.idempotency undefined where the middleware does not run, and the type says so', async () => {
    const seen: (IdempotencyOutcome | undefined)[] = [];
    const app = new Koa<IdempotencyState>();
    app.use(async (ctx, next) => {
      await next();
      // @ts-expect-error the outcome may be missing: the middleware guards /payments only
      const claimed: IdempotencyOutcome = ctx.state.idempotency;
      seen.push(claimed);
    });
    const guard = idempotency({ store });
    app.use((ctx, next) => (ctx.path === '/payments' ? guard(ctx, next) : next()));
    app.use((ctx) => {
      ctx.status = 201;
      ctx.body = { ok: true };
    });
    const base = await start(app);
    expect((await post(base, randomUUID(), '{}', '/health')).status).toBe(201);
    const key = randomUUID();
    expect((await post(base, key)).status).toBe(201);
    expect(seen).toEqual([undefined, { protected: true, replayed: false, stored: true, key }]);
  });

  it('exposes the outcome as ctx.state.idempotency to the middleware around it', async () => {
    const seen: (IdempotencyOutcome | undefined)[] = [];
    const app = new Koa<IdempotencyState>();
    app.use(async (ctx, next) => {
      await next();
      seen.push(ctx.state.idempotency);
    });
    app.use(idempotency({ store }));
    app.use((ctx) => {
      ctx.status = 201;
      ctx.body = { ok: true };
    });
    const base = await start(app);
    const key = randomUUID();
    await post(base, key);
    await post(base, key);
    await post(base, undefined);
    expect(seen).toEqual([
      { protected: true, replayed: false, stored: true, key },
      { protected: true, replayed: true, stored: false, key },
      { protected: false, replayed: false, stored: false, key: undefined },
    ]);
  });

  it('fingerprints the raw body a parser mounted before it kept (ctx.request.rawBody)', async () => {
    const bodies: unknown[] = [];
    const app = new Koa<IdempotencyState>();
    app.use(bodyParser());
    app.use(idempotency({ store }));
    app.use((ctx) => {
      bodies.push(ctx.request.body);
      ctx.status = 201;
      ctx.body = { ok: true };
    });
    const base = await start(app);
    const key = randomUUID();
    await post(base, key, '{"amount":1,"currency":"eur"}');
    const retry = await post(base, key, '{"amount":1,"currency":"eur"}');
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const reformatted = await post(base, key, '{ "currency": "eur", "amount": 1 }');
    expect(reformatted.status).toBe(422);
    expect(bodies).toEqual([{ amount: 1, currency: 'eur' }]);
  });

  it('leaves the whole body to a parser mounted after it', async () => {
    const app = appWith();
    app.use(bodyParser());
    app.use((ctx) => {
      ctx.status = 201;
      ctx.body = { received: ctx.request.body };
    });
    const base = await start(app);
    const response = await post(base, randomUUID(), '{"amount":4200}');
    expect(await response.json()).toEqual({ received: { amount: 4200 } });
  });

  it('replays a JSON ctx.body byte for byte, with its content type', async () => {
    let runs = 0;
    const app = appWith();
    app.use((ctx) => {
      ctx.status = 201;
      ctx.body = { id: `pay_${++runs}`, nested: { amount: 100 } };
    });
    const base = await start(app);
    const key = randomUUID();
    const first = await post(base, key);
    const firstBody = await first.text();
    const retry = await post(base, key);
    expect(await retry.text()).toBe(firstBody);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(runs).toBe(1);
  });

  it('replays the status message Koa sends for an empty body', async () => {
    const app = appWith();
    app.use((ctx) => {
      ctx.status = 202;
    });
    const base = await start(app);
    const key = randomUUID();
    const first = await post(base, key);
    expect(await first.text()).toBe('Accepted');
    const retry = await post(base, key);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.text()).toBe('Accepted');
    expect(retry.headers.get('content-type')).toBe(first.headers.get('content-type'));
  });

  it('does not store what a thrown error answers, even a 4xx: a retry runs again', async () => {
    let runs = 0;
    const app = appWith();
    app.use((ctx) => {
      runs++;
      if (runs === 1) ctx.throw(402, 'card declined');
      ctx.status = 201;
      ctx.body = 'charged';
    });
    const base = await start(app);
    const key = randomUUID();
    expect((await post(base, key)).status).toBe(402);
    const retry = await post(base, key);
    expect(await retry.text()).toBe('charged');
    expect(runs).toBe(2);
  });

  it('streams a body past maxResponseBytes whole to the first client; a retry gets 409 RESPONSE_NOT_STORED', async () => {
    let runs = 0;
    const rows = Array.from({ length: 40 }, (_, i) => `row ${i} ${'k'.repeat(80)}\n`);
    const app = appWith({ maxResponseBytes: 1024 });
    app.use((ctx) => {
      runs++;
      ctx.type = 'text/csv';
      ctx.body = Readable.from(rows);
    });
    const base = await start(app);
    const key = randomUUID();
    expect(await (await post(base, key)).text()).toBe(rows.join(''));
    const retry = await post(base, key);
    expect(retry.status).toBe(409);
    expect((await retry.json()).code).toBe('RESPONSE_NOT_STORED');
    expect(runs).toBe(1);
  });

  it('buffers a streamed body under the limit and replays it', async () => {
    const app = appWith();
    app.use((ctx) => {
      ctx.type = 'text/csv';
      ctx.body = Readable.from(['a,b\n', '1,2\n']);
    });
    const base = await start(app);
    const key = randomUUID();
    await post(base, key);
    const retry = await post(base, key);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.text()).toBe('a,b\n1,2\n');
    expect(retry.headers.get('content-type')).toMatch(/^text\/csv/);
  });

  it('answers 413 PAYLOAD_TOO_LARGE past maxBodyBytes for a protected request only', async () => {
    const app = appWith({ maxBodyBytes: 16 });
    app.use(bodyParser());
    app.use((ctx) => {
      ctx.body = ctx.request.body;
    });
    const base = await start(app);
    const big = JSON.stringify({ note: 'x'.repeat(100) });
    const refused = await post(base, randomUUID(), big);
    expect(refused.status).toBe(413);
    expect((await refused.json()).code).toBe('PAYLOAD_TOO_LARGE');
    expect(await (await post(base, undefined, big)).text()).toBe(big);
  });

  it('checks its options when called', () => {
    expect(() => idempotency({ store, maxBodyBytes: 0 })).toThrow(ConfigurationError);
    expect(() => idempotency({ store, onConflict: 'queue' as 'wait' })).toThrow("`onConflict` must be 'reject' or 'wait'");
  });
});

it('releases the key when the app bypasses Koa (ctx.respond = false): nothing wrong is replayed', async () => {
  let runs = 0;
  const app = appWith();
  app.use((ctx) => {
    runs++;
    ctx.respond = false;
    ctx.res.statusCode = 201;
    ctx.res.end(`raw ${runs}`);
  });
  const base = await start(app);
  const key = randomUUID();
  expect(await (await post(base, key)).text()).toBe('raw 1');
  const retry = await post(base, key);
  expect(retry.headers.get('idempotent-replayed')).toBeNull();
  expect(await retry.text()).toBe('raw 2');
});
