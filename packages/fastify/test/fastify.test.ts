import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { ConfigurationError } from '@idem/core';
import { MemoryStore } from '@idem/memory';
import { idempotency, type FastifyIdempotencyOptions, type IdempotencyOutcome } from '../src';

const store = new MemoryStore();
afterAll(() => store.close());

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function createApp(options: Partial<FastifyIdempotencyOptions> = {}, routes: (app: FastifyInstance) => void = () => undefined) {
  const app = Fastify();
  apps.push(app);
  await app.register(idempotency, { store, ...options });
  routes(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  rawPayload: Buffer;
  json(): Record<string, unknown>;
}

/** A POST over a real socket (Fastify's inject is not used: it loads an ESM-only module under jest). */
async function post(
  app: FastifyInstance,
  url: string,
  key: string | undefined,
  payload: string | object = { amount: 100 },
): Promise<Answer> {
  const { port } = app.server.address() as { port: number };
  const response = await fetch(`http://127.0.0.1:${port}${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  const rawPayload = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return {
    statusCode: response.status,
    headers,
    body: rawPayload.toString(),
    rawPayload,
    json: () => JSON.parse(rawPayload.toString()),
  };
}

describe('@idem/fastify', () => {
  it('records the payload as JSON schema serialization produced it and replays it byte for byte', async () => {
    let runs = 0;
    const app = await createApp({}, (app) =>
      app.post(
        '/payments',
        { schema: { response: { 201: { type: 'object', properties: { id: { type: 'string' }, amount: { type: 'integer' } } } } } },
        async (request, reply) => {
          runs++;
          // `secret` is not in the response schema: the serializer drops it, and so does the record.
          return reply.code(201).send({ id: `pay_${runs}`, amount: (request.body as { amount: number }).amount, secret: 'card-number' });
        },
      ),
    );
    const key = randomUUID();
    const first = await post(app, '/payments', key);
    const retry = await post(app, '/payments', key);
    expect(first.body).toBe('{"id":"pay_1","amount":100}');
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(retry.headers['content-type']).toBe(first.headers['content-type']);
    expect(runs).toBe(1);
  });

  it('fingerprints the exact bytes the JSON parser read (reformatted JSON is another request)', async () => {
    const bodies: unknown[] = [];
    const app = await createApp({}, (app) =>
      app.post('/payments', async (request, reply) => {
        bodies.push(request.body);
        return reply.code(201).send({ ok: true });
      }),
    );
    const key = randomUUID();
    await post(app, '/payments', key, '{"amount":1,"currency":"eur"}');
    const reformatted = await post(app, '/payments', key, '{ "currency": "eur", "amount": 1 }');
    expect(reformatted.statusCode).toBe(422);
    expect(bodies).toEqual([{ amount: 1, currency: 'eur' }]);
  });

  it('exposes request.idempotency to an onResponse hook', async () => {
    const seen: IdempotencyOutcome[] = [];
    const app = await createApp({}, (app) => {
      app.addHook('onResponse', async (request) => void seen.push(request.idempotency));
      app.post('/payments', async (_request, reply) => reply.code(201).send({ ok: true }));
    });
    const key = randomUUID();
    await post(app, '/payments', key);
    await post(app, '/payments', key);
    await post(app, '/payments', undefined);
    expect(seen).toEqual([
      { protected: true, replayed: false, stored: true, key },
      { protected: true, replayed: true, stored: false, key },
      { protected: false, replayed: false, stored: false, key: undefined },
    ]);
  });

  describe('per route', () => {
    const counter = () => {
      let runs = 0;
      return { handler: async () => ({ run: ++runs }), runs: () => runs };
    };

    it('global: false protects only the routes with config.idempotency', async () => {
      const open = counter();
      const guarded = counter();
      const app = await createApp({ global: false }, (app) => {
        app.post('/open', open.handler);
        app.post('/guarded', { config: { idempotency: true } }, guarded.handler);
      });
      const key = randomUUID();
      await post(app, '/open', key);
      await post(app, '/open', key);
      await post(app, '/guarded', key);
      const retry = await post(app, '/guarded', key);
      expect(open.runs()).toBe(2);
      expect(guarded.runs()).toBe(1);
      expect(retry.headers['idempotent-replayed']).toBe('true');
    });

    it('config.idempotency: false opts a route out of a global plugin', async () => {
      const webhook = counter();
      const app = await createApp({}, (app) => app.post('/webhooks', { config: { idempotency: false } }, webhook.handler));
      const key = randomUUID();
      await post(app, '/webhooks', key);
      const second = await post(app, '/webhooks', key);
      expect(webhook.runs()).toBe(2);
      expect(second.headers['idempotent-replayed']).toBeUndefined();
    });

    it("a route's own options apply to that route only", async () => {
      const app = await createApp({}, (app) => {
        app.post('/strict', { config: { idempotency: { requireKey: true } } }, async () => ({ ok: true }));
        app.post('/lenient', async () => ({ ok: true }));
      });
      const strict = await post(app, '/strict', undefined);
      expect(strict.statusCode).toBe(400);
      expect(strict.json().code).toBe('MISSING_KEY');
      expect((await post(app, '/lenient', undefined)).statusCode).toBe(200);
    });

    it("checks a route's own options when the route is declared", async () => {
      const app = Fastify();
      apps.push(app);
      await app.register(idempotency, { store });
      expect(() => app.post('/bad', { config: { idempotency: { ttl: -5 } } }, async () => ({}))).toThrow(ConfigurationError);
    });
  });

  it('does not record the reply of a handler that threw, even a 4xx: a retry runs again', async () => {
    let runs = 0;
    const app = await createApp({}, (app) =>
      app.post('/payments', async () => {
        runs++;
        if (runs === 1) throw Object.assign(new Error('card declined'), { statusCode: 402 });
        return { charged: true };
      }),
    );
    const key = randomUUID();
    const failed = await post(app, '/payments', key);
    expect(failed.statusCode).toBe(402);
    const retry = await post(app, '/payments', key);
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual({ charged: true });
    expect(runs).toBe(2);
  });

  it('streams a reply past maxResponseBytes whole to the first client; a retry gets 409 RESPONSE_NOT_STORED', async () => {
    let runs = 0;
    const lines = Array.from({ length: 40 }, (_, i) => `row ${i} ${'z'.repeat(80)}\n`);
    const app = await createApp({ maxResponseBytes: 1024 }, (app) =>
      app.post('/export', async (_request, reply) => {
        runs++;
        return reply.type('text/csv').send(Readable.from(lines));
      }),
    );
    const key = randomUUID();
    const first = await post(app, '/export', key);
    expect(first.body).toBe(lines.join(''));
    const retry = await post(app, '/export', key);
    expect(retry.statusCode).toBe(409);
    expect(retry.json().code).toBe('RESPONSE_NOT_STORED');
    expect(runs).toBe(1);
  });

  it('buffers a streamed reply under the limit and replays it', async () => {
    const app = await createApp({}, (app) =>
      app.post('/export', async (_request, reply) => reply.type('text/csv').send(Readable.from(['a,b\n', '1,2\n']))),
    );
    const key = randomUUID();
    await post(app, '/export', key);
    const retry = await post(app, '/export', key);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toBe('a,b\n1,2\n');
    expect(retry.headers['content-type']).toMatch(/^text\/csv/);
  });

  it('answers 413 PAYLOAD_TOO_LARGE past maxBodyBytes for a protected request only', async () => {
    const app = await createApp({ maxBodyBytes: 16 }, (app) => app.post('/payments', async (request) => request.body));
    const big = { note: 'x'.repeat(100) };
    const refused = await post(app, '/payments', randomUUID(), big);
    expect(refused.statusCode).toBe(413);
    expect(refused.json().code).toBe('PAYLOAD_TOO_LARGE');
    expect((await post(app, '/payments', undefined, big)).json()).toEqual(big);
  });

  it('checks the plugin options at registration; Fastify’s own register options are ignored', async () => {
    const app = Fastify();
    apps.push(app);
    await expect(app.register(idempotency, { store, maxBodyBytes: 0 }).ready()).rejects.toThrow(
      '`maxBodyBytes` must be a positive whole number of bytes',
    );
    const other = Fastify();
    apps.push(other);
    await expect(other.register(idempotency, { store, global: 'yes' as unknown as boolean }).ready()).rejects.toThrow(ConfigurationError);
    const prefixed = Fastify();
    apps.push(prefixed);
    await expect(prefixed.register(idempotency, { store, prefix: '/v1' } as FastifyIdempotencyOptions).ready()).resolves.toBeDefined();
  });
});

/** Writes raw bytes on a socket and resolves with what came back when the server closes it. */
function sendRaw(app: FastifyInstance, bytes: string | Buffer): Promise<string> {
  const { port } = app.server.address() as { port: number };
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.write(bytes);
  });
}

describe('@idem/fastify under malformed request bodies', () => {
  it.each([
    ['no Content-Type', ''],
    ['an unknown Content-Type', 'Content-Type: application/x-unknown\r\n'],
    ['a JSON Content-Type', 'Content-Type: application/json\r\n'],
  ])('survives a chunked body with a bad chunk size and %s, keyed or not', async (_label, contentType) => {
    const app = await createApp({}, (app) => app.post('/payments', async () => ({ ok: true })));
    for (const key of ['', `Idempotency-Key: ${randomUUID()}\r\n`]) {
      await sendRaw(
        app,
        `POST /payments HTTP/1.1\r\nHost: x\r\n${contentType}${key}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`,
      );
    }
    // The process is still here and still answering.
    expect((await post(app, '/payments', randomUUID())).statusCode).toBe(200);
  });

  it('drains a 2 MiB body answered 415: the connection serves its next request and app.close() resolves', async () => {
    const app = Fastify();
    await app.register(idempotency, { store });
    app.post('/payments', async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    let received = '';
    const bothAnswered = new Promise<string>((resolve) =>
      socket.on('data', (chunk) => {
        received += chunk.toString('latin1');
        if ((received.match(/HTTP\/1\.1 /g) ?? []).length === 2) resolve(received);
      }),
    );
    const body = Buffer.alloc(2 * 1024 * 1024, 'a');
    // Two requests on one keep-alive connection: the second is read only once the first body is.
    socket.write(`POST /payments HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-unknown\r\nContent-Length: ${body.length}\r\n\r\n`);
    socket.write(body);
    socket.write('POST /payments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<string>((resolve) => (timer = setTimeout(resolve, 5_000, 'the connection stalled')));
    const answers = await Promise.race([bothAnswered, stalled]);
    clearTimeout(timer);
    expect(answers).toMatch(/^HTTP\/1\.1 415[\s\S]*HTTP\/1\.1 200/);
    // The client keeps its idle connection open: Fastify closes idle connections, so close() resolves.
    await app.close();
    socket.destroy();
  });
});
