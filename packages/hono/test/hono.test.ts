import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { ConfigurationError } from '@idem/core';
import { MemoryStore } from '@idem/memory';
import { idempotency, type IdempotencyEnv, type IdempotencyOutcome } from '../src';

const store = new MemoryStore();
afterAll(() => store.close());

const post = (app: { request: Hono['request'] }, key: string | undefined, body = '{"amount":100}', path = '/payments') =>
  app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body,
  });

describe('@idem/hono (app.request)', () => {
  it("exposes the outcome as c.get('idempotency') to the middleware around it", async () => {
    const seen: (IdempotencyOutcome | undefined)[] = [];
    let runs = 0;
    const app = new Hono<IdempotencyEnv>();
    app.use(async (c, next) => {
      await next();
      seen.push(c.get('idempotency'));
    });
    app.use(idempotency({ store }));
    app.post('/payments', async (c) => c.json({ run: ++runs, amount: (await c.req.json()).amount }, 201));
    const key = randomUUID();
    const first = await post(app, key);
    const retry = await post(app, key);
    await post(app, undefined);
    expect(await first.json()).toEqual({ run: 1, amount: 100 });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(seen).toEqual([
      { protected: true, replayed: false, stored: true, key },
      { protected: true, replayed: true, stored: false, key },
      { protected: false, replayed: false, stored: false, key: undefined },
    ]);
  });

  it("leaves c.get('idempotency') undefined off the mounted path, and the app's type says so", async () => {
    const seen: (IdempotencyOutcome | undefined)[] = [];
    const app = new Hono<IdempotencyEnv>();
    app.use(async (c, next) => {
      await next();
      // @ts-expect-error the outcome may be missing: the middleware is mounted on /payments/* only
      const claimed: IdempotencyOutcome = c.get('idempotency');
      seen.push(claimed);
    });
    app.use('/payments/*', idempotency({ store }));
    app.post('/payments/:id', (c) => c.text('charged', 201));
    app.post('/health', (c) => c.text('ok'));
    expect((await post(app, randomUUID(), '{}', '/health')).status).toBe(200);
    const key = randomUUID();
    expect((await post(app, key, '{}', '/payments/1')).status).toBe(201);
    expect(seen).toEqual([undefined, { protected: true, replayed: false, stored: true, key }]);
  });

  it("types the variable for handlers: c.get('idempotency').protected", async () => {
    const app = new Hono();
    app.post('/payments', idempotency({ store }), (c) => c.text(String(c.get('idempotency')?.protected), 201));
    expect(await (await post(app, randomUUID())).text()).toBe('true');
  });

  it('fingerprints the body an earlier validator already consumed', async () => {
    let runs = 0;
    const app = new Hono();
    app.use(async (c, next) => {
      await c.req.json(); // a validator reads the body first
      await next();
    });
    app.use(idempotency({ store }));
    app.post('/payments', async (c) => c.json({ run: ++runs, body: await c.req.json() }, 201));
    const key = randomUUID();
    await post(app, key, '{"amount":1}');
    const retry = await post(app, key, '{"amount":1}');
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const other = await post(app, key, '{"amount":2}');
    expect(other.status).toBe(422);
    expect(runs).toBe(1);
  });

  it('releases the key when the handler throws: onError answers, a retry runs again', async () => {
    let runs = 0;
    const app = new Hono();
    app.use(idempotency({ store, shouldStore: () => true })); // even a 5xx-storing policy must not store a thrown error
    app.post('/payments', (c) => {
      runs++;
      if (runs === 1) throw new Error('upstream down');
      return c.text('charged', 201);
    });
    app.onError((error, c) => c.text(`failed: ${error.message}`, 500));
    const key = randomUUID();
    const failed = await post(app, key);
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('failed: upstream down');
    const retry = await post(app, key);
    expect(retry.status).toBe(201);
    expect(runs).toBe(2);
  });

  it('sends each Set-Cookie of the first answer once, and none on the replay', async () => {
    const app = new Hono();
    app.use(idempotency({ store }));
    app.post('/payments', (c) => {
      c.header('set-cookie', 'a=1', { append: true });
      c.header('set-cookie', 'b=2', { append: true });
      return c.text('ok', 201);
    });
    const key = randomUUID();
    expect((await post(app, key)).headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect((await post(app, key)).headers.getSetCookie()).toEqual([]);
  });

  it('streams a response past maxResponseBytes to the first client; a retry gets 409 RESPONSE_NOT_STORED', async () => {
    let runs = 0;
    const parts = Array.from({ length: 40 }, (_, i) => `line ${i} ${'y'.repeat(80)}\n`);
    const app = new Hono();
    app.use(idempotency({ store, maxResponseBytes: 1024 }));
    app.post('/export', (c) => {
      runs++;
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
          controller.close();
        },
      });
      return c.body(stream, 200, { 'content-type': 'text/plain' });
    });
    const key = randomUUID();
    const first = await post(app, key, '{}', '/export');
    expect(await first.text()).toBe(parts.join(''));
    const retry = await post(app, key, '{}', '/export');
    expect(retry.status).toBe(409);
    expect((await retry.json()).code).toBe('RESPONSE_NOT_STORED');
    expect(runs).toBe(1);
  });

  it('answers 413 PAYLOAD_TOO_LARGE past maxBodyBytes for a protected request only', async () => {
    const app = new Hono();
    app.use(idempotency({ store, maxBodyBytes: 8 }));
    app.post('/payments', async (c) => c.text(await c.req.text(), 201));
    const big = '{"note":"' + 'z'.repeat(50) + '"}';
    const refused = await post(app, randomUUID(), big);
    expect(refused.status).toBe(413);
    expect((await refused.json()).code).toBe('PAYLOAD_TOO_LARGE');
    expect(await (await post(app, undefined, big)).text()).toBe(big);
  });

  it('checks its options when called', () => {
    expect(() => idempotency({ store, maxBodyBytes: -1 })).toThrow(ConfigurationError);
    expect(() => idempotency({ store, lockTtl: 1 })).toThrow('`lockTtl` must be at least 10 ms');
  });
});
