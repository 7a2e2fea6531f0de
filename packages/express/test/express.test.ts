import { connect } from 'node:net';
import type { ErrorRequestHandler, Express, RequestHandler } from 'express';
import { ConfigurationError, keyFromBody, type IdempotencyOptions } from '@idem/core';
import { MemoryStore } from '@idem/memory';
import { listen, type ScenarioServer } from '@idem/testkit';
import { idempotency, isReplayed, wasStored, type ExpressIdempotencyOptions } from '../src';
import type { ExpressFactory } from './adapters';
import { expressVersions } from './express-versions';
import { newKey, post, request } from './client';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
beforeAll(() => void process.on('unhandledRejection', onUnhandled));
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

describe.each(expressVersions)('%s', (_name, express: ExpressFactory) => {
  let server: ScenarioServer | undefined;
  let runs = 0;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** An app with `before` middleware, idempotency, `after` middleware and the routes given. */
  async function start(
    routes: (app: Express) => void,
    options: Partial<ExpressIdempotencyOptions> = {},
    layers: { before?: RequestHandler[]; after?: RequestHandler[] } = {},
  ) {
    runs = 0;
    const app = express();
    for (const layer of layers.before ?? []) app.use(layer);
    app.use(idempotency({ store: new MemoryStore(), ...options } as ExpressIdempotencyOptions));
    for (const layer of layers.after ?? []) app.use(layer);
    app.use((_req, _res, next) => {
      runs++;
      next();
    });
    routes(app);
    server = await listen(app);
    return server.url;
  }

  describe('mounted sub-apps', () => {
    it('records a response written by a mounted sub-app (which resets the response prototype)', async () => {
      const url = await start((app) => {
        const v1 = express();
        v1.post('/payments', (_req, res) => res.status(201).json({ id: `pay_${runs}` }));
        app.use('/v1', v1);
      });
      const key = newKey();
      const send = () => request(url, { path: '/v1/payments', headers: { 'idempotency-key': key }, body: '{}' });
      const first = await send();
      expect(first.status).toBe(201);
      const retry = await send();
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body.equals(first.body)).toBe(true);
      expect(runs).toBe(1);
    });
  });

  describe('body parsers', () => {
    const echo = (app: Express) => app.post('/payments', (req, res) => res.status(201).json({ received: req.body }));

    it('leaves the body to express.json() mounted after it', async () => {
      const url = await start(echo, {}, { after: [express.json()] });
      const key = newKey();
      const first = await post(url, key, '{"amount":100}', { 'content-type': 'application/json' });
      assert201Json(first, { received: { amount: 100 } });
      const retry = await post(url, key, '{"amount":100}', { 'content-type': 'application/json' });
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body.equals(first.body)).toBe(true);
      expect(runs).toBe(1);
      const other = await post(url, key, '{"amount":5}', { 'content-type': 'application/json' });
      expect(other.status).toBe(422);
    });

    it('leaves the body to express.urlencoded() mounted after it', async () => {
      const url = await start(echo, {}, { after: [express.urlencoded({ extended: false })] });
      const response = await post(url, newKey(), 'amount=100&currency=eur', { 'content-type': 'application/x-www-form-urlencoded' });
      assert201Json(response, { received: { amount: '100', currency: 'eur' } });
    });

    it('fingerprints the parsed body when express.json() ran before it', async () => {
      const url = await start(echo, {}, { before: [express.json()] });
      const key = newKey();
      const first = await post(url, key, '{"amount":100}', { 'content-type': 'application/json' });
      assert201Json(first, { received: { amount: 100 } });
      const retry = await post(url, key, '{"amount":100}', { 'content-type': 'application/json' });
      expect(retry.headers['idempotent-replayed']).toBe('true');
      const other = await post(url, key, '{"amount":5}', { 'content-type': 'application/json' });
      expect(other.status).toBe(422);
      expect(runs).toBe(1);
    });

    it('reads the raw body itself when a parser before it skipped the request (other content type)', async () => {
      const url = await start((app) => app.post('/payments', (_req, res) => res.status(201).send('ok')), {}, { before: [express.json()] });
      const key = newKey();
      await post(url, key, 'one', { 'content-type': 'text/plain' });
      const other = await post(url, key, 'two', { 'content-type': 'text/plain' });
      expect(other.status).toBe(422);
    });
  });

  describe('maxBodyBytes', () => {
    const size = (app: Express) => app.post('/upload', (req, res) => res.status(201).json({ bytes: (req.body as Buffer).length }));
    const raw = () => express.raw({ type: () => true, limit: '5mb' });

    it('answers 413 problem+json to a protected request with a larger body, handler not run', async () => {
      const url = await start(size, { maxBodyBytes: 1000 }, { after: [raw()] });
      const response = await request(url, { path: '/upload', headers: { 'idempotency-key': newKey() }, body: Buffer.alloc(1001) });
      expect(response.status).toBe(413);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json().code).toBe('PAYLOAD_TOO_LARGE');
      expect(runs).toBe(0);
    });

    it('passes a large body without a key through whole', async () => {
      const url = await start(size, { maxBodyBytes: 1000 }, { after: [raw()] });
      const response = await request(url, { path: '/upload', body: Buffer.alloc(300_000, 7) });
      assert201Json(response, { bytes: 300_000 });
    });

    it('protects a large body whole when fingerprint is false', async () => {
      const url = await start(size, { maxBodyBytes: 1000, fingerprint: false }, { after: [raw()] });
      const key = newKey();
      const first = await request(url, { path: '/upload', headers: { 'idempotency-key': key }, body: Buffer.alloc(300_000, 7) });
      assert201Json(first, { bytes: 300_000 });
      const retry = await request(url, { path: '/upload', headers: { 'idempotency-key': key }, body: Buffer.alloc(300_000, 7) });
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(runs).toBe(1);
    });

    it('rejects a maxBodyBytes that is not a positive whole number, and unknown options', () => {
      expect(() => idempotency({ store: new MemoryStore(), maxBodyBytes: 0 })).toThrow(ConfigurationError);
      expect(() => idempotency({ store: new MemoryStore(), maxBodyBytes: 1.5 })).toThrow(/maxBodyBytes/);
      expect(() => idempotency({ store: new MemoryStore(), maxBodyByte: 10 } as IdempotencyOptions)).toThrow(
        /Unknown idem option `maxBodyByte`/,
      );
    });
  });

  describe('response methods', () => {
    const cases: Array<[string, RequestHandler, (body: Buffer) => void]> = [
      [
        'res.json',
        (_req, res) => void res.status(201).json({ id: `ch_${runs}` }),
        (b) => expect(JSON.parse(b.toString())).toEqual({ id: 'ch_1' }),
      ],
      [
        'res.send(string)',
        (_req, res) => void res.status(201).send(`<p>charge ${runs}</p>`),
        (b) => expect(b.toString()).toBe('<p>charge 1</p>'),
      ],
      [
        'res.send(Buffer)',
        (_req, res) => void res.status(201).send(Buffer.from([0, 255, 1, 254])),
        (b) => expect([...b]).toEqual([0, 255, 1, 254]),
      ],
      [
        'res.write + res.end',
        (_req, res) => {
          res.writeHead(201, { 'content-type': 'text/plain' });
          res.write('part one, ');
          setTimeout(() => res.end(`part two of run ${runs}`), 10);
        },
        (b) => expect(b.toString()).toBe('part one, part two of run 1'),
      ],
      ['res.sendStatus', (_req, res) => void res.sendStatus(204), (b) => expect(b.length).toBe(0)],
    ];
    for (const [label, handler, check] of cases) {
      it(`replays ${label} exactly`, async () => {
        const url = await start((app) => app.post('/payments', handler));
        const key = newKey();
        const first = await post(url, key, '{}');
        const retry = await post(url, key, '{}');
        expect(runs).toBe(1);
        expect(first.headers['idempotent-replayed']).toBeUndefined();
        expect(retry.headers['idempotent-replayed']).toBe('true');
        expect(retry.status).toBe(first.status);
        expect(retry.headers['content-type']).toBe(first.headers['content-type']);
        expect(retry.body.equals(first.body)).toBe(true);
        check(retry.body);
      });
    }
  });

  describe('failures', () => {
    it('stores nothing when the handler calls next(err): the error handler answers, a retry runs again', async () => {
      const url = await start((app) => {
        app.post('/payments', (_req, _res, next) => (runs === 1 ? next(new Error('card declined upstream')) : next()));
        app.post('/payments', (_req, res) => void res.status(201).json({ ok: true }));
        const errorHandler: ErrorRequestHandler = (_error, _req, res, _next) => void res.status(500).json({ error: 'boom' });
        app.use(errorHandler);
      });
      const key = newKey();
      const failed = await post(url, key, '{}');
      expect(failed.status).toBe(500);
      const retry = await post(url, key, '{}');
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
      expect(runs).toBe(2);
    });

    it('hangs up instead of appending the error page to a half-written body; the key frees after a lease', async () => {
      const url = await start(
        (app) =>
          app.post('/payments', (_req, res) => {
            if (runs > 1) return void res.status(201).send('second');
            res.write('partial');
            throw new Error('failed mid-response');
          }),
        { lockTtl: 100 },
      );
      const key = newKey();
      await expect(post(url, key, '{}')).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 250));
      const retry = await post(url, key, '{}');
      expect(retry.status).toBe(201);
      expect(runs).toBe(2);
    });

    it('survives a client that aborts mid-body, and the key stays free', async () => {
      const url = await start((app) => app.post('/payments', (_req, res) => void res.status(201).send('ok')));
      const key = newKey();
      await abortMidBody(url, key);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const response = await post(url, key, '{}');
      expect(response.status).toBe(201);
      expect(runs).toBe(1);
    });

    it('records the answer of a handler whose client left: the retry gets it, the handler ran once', async () => {
      const url = await start((app) =>
        app.post('/payments', (_req, res) => {
          setTimeout(() => res.status(201).json({ id: 'ch_late' }), 150);
        }),
      );
      const key = newKey();
      await expect(request(url, { headers: { 'idempotency-key': key }, body: '{}', timeoutMs: 30 })).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 250));
      const retry = await post(url, key, '{}');
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.json()).toEqual({ id: 'ch_late' });
      expect(runs).toBe(1);
    });

    it('gives the key back one lease period after the client left a handler that never answers', async () => {
      const url = await start(
        (app) => app.post('/payments', (_req, res) => (runs === 1 ? undefined : void res.status(201).send('second'))),
        { lockTtl: 100 },
      );
      const key = newKey();
      await expect(request(url, { headers: { 'idempotency-key': key }, body: '{}', timeoutMs: 30 })).rejects.toThrow();
      const during = await post(url, key, '{}');
      expect(during.status).toBe(409);
      await new Promise((resolve) => setTimeout(resolve, 250));
      const after = await post(url, key, '{}');
      expect(after.status).toBe(201);
      expect(runs).toBe(2);
    });
  });

  describe('large responses', () => {
    it('streams a response larger than maxResponseBytes to the first client and never runs a retry', async () => {
      const url = await start(
        (app) =>
          app.post('/export', (_req, res) => {
            res.status(200).type('text/plain');
            let sent = 0;
            const tick = () => {
              if (sent === 50) return void res.end('done');
              sent++;
              res.write('x'.repeat(1000));
              setImmediate(tick);
            };
            tick();
          }),
        { maxResponseBytes: 4096 },
      );
      const key = newKey();
      const first = await request(url, { path: '/export', headers: { 'idempotency-key': key }, body: '{}' });
      expect(first.status).toBe(200);
      expect(first.body.toString()).toBe('x'.repeat(50_000) + 'done');
      const retry = await request(url, { path: '/export', headers: { 'idempotency-key': key }, body: '{}' });
      expect(retry.status).toBe(409);
      expect(retry.json().code).toBe('RESPONSE_NOT_STORED');
      expect(runs).toBe(1);
    });
  });

  describe('manager options through the middleware', () => {
    const charge = (app: Express) => app.all('/payments', (_req, res) => void res.status(201).send(`charge ${runs}`));

    it('header: reads the key from another header', async () => {
      const url = await start(charge, { header: 'X-Request-Id' });
      const key = newKey();
      await post(url, undefined, '{}', { 'x-request-id': key });
      const retry = await post(url, undefined, '{}', { 'x-request-id': key });
      expect(retry.headers['idempotent-replayed']).toBe('true');
      const other = await post(url, key, '{}');
      expect(other.headers['idempotent-replayed']).toBeUndefined();
      expect(runs).toBe(2);
    });

    it('methods: leaves other methods unprotected', async () => {
      const url = await start(charge, { methods: ['POST'] });
      const key = newKey();
      await request(url, { method: 'PUT', headers: { 'idempotency-key': key }, body: '{}' });
      const second = await request(url, { method: 'PUT', headers: { 'idempotency-key': key }, body: '{}' });
      expect(second.headers['idempotent-replayed']).toBeUndefined();
      expect(runs).toBe(2);
    });

    it('ttl and now: replays until the record expires on the injected clock', async () => {
      let clock = 1_700_000_000_000;
      const url = await start(charge, { ttl: 1_000, now: () => clock });
      const key = newKey();
      await post(url, key, '{}');
      expect((await post(url, key, '{}')).headers['idempotent-replayed']).toBe('true');
      clock += 1_001;
      expect((await post(url, key, '{}')).headers['idempotent-replayed']).toBeUndefined();
      expect(runs).toBe(2);
    });

    it('key: derives the key from the request content', async () => {
      const url = await start(charge, { key: keyFromBody() });
      await post(url, undefined, '{"amount":1}');
      const same = await post(url, undefined, '{"amount":1}');
      const other = await post(url, undefined, '{"amount":2}');
      expect(same.headers['idempotent-replayed']).toBe('true');
      expect(other.headers['idempotent-replayed']).toBeUndefined();
      expect(runs).toBe(2);
    });

    it('onLeaseLost: reports a handler whose lease renewal found another owner', async () => {
      const store = new MemoryStore();
      store.extend = async () => false;
      const lost: string[] = [];
      const url = await start((app) => app.post('/payments', (_req, res) => void setTimeout(() => res.status(201).send('late'), 100)), {
        store,
        lockTtl: 30,
        onLeaseLost: (key) => void lost.push(key),
      });
      const key = newKey();
      await post(url, key, '{}');
      expect(lost).toEqual([key]);
    });
  });

  describe('commit order', () => {
    it('commits the record before the client sees the first byte, even with a slow store', async () => {
      const store = new MemoryStore();
      const complete = store.complete.bind(store);
      store.complete = async (...args) => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return complete(...args);
      };
      const url = await start((app) => app.post('/payments', (_req, res) => void res.status(201).send('charged')), { store });
      const key = newKey();
      const first = await post(url, key, '{}');
      expect(first.status).toBe(201);
      expect((await store.get(key))?.status).toBe('completed');
    });
  });

  describe('isReplayed / wasStored', () => {
    it('tells the app whether a response was stored or replayed', async () => {
      const outcomes: Array<{ replayed: boolean; stored: boolean; status: number }> = [];
      const observe: RequestHandler = (_req, res, next) => {
        res.on('finish', () => outcomes.push({ replayed: isReplayed(res), stored: wasStored(res), status: res.statusCode }));
        next();
      };
      const url = await start(
        (app) => app.post('/payments', (req, res) => void res.status(req.headers['x-fail'] ? 500 : 201).send('done')),
        {},
        { before: [observe] },
      );
      const key = newKey();
      await post(url, key, '{}');
      await post(url, key, '{}');
      await post(url, newKey(), '{}', { 'x-fail': '1' });
      await post(url, undefined, '{}');
      expect(outcomes).toEqual([
        { replayed: false, stored: true, status: 201 },
        { replayed: true, stored: false, status: 201 },
        { replayed: false, stored: false, status: 500 },
        { replayed: false, stored: false, status: 201 },
      ]);
    });
  });

  describe('exactly once', () => {
    it('runs the handler once for 100 concurrent duplicates with a 1 MiB binary body, replayed byte for byte', async () => {
      const url = await start(
        (app) =>
          app.post('/upload', (req, res) => void setTimeout(() => res.status(201).type('application/octet-stream').send(req.body), 50)),
        {},
        { after: [express.raw({ type: () => true, limit: '2mb' })] },
      );
      const key = newKey();
      const payload = Buffer.from(Array.from({ length: 1024 * 1024 }, (_, i) => (i * 7919) % 256));
      const answers = await Promise.all(
        Array.from({ length: 100 }, () => request(url, { path: '/upload', headers: { 'idempotency-key': key }, body: payload })),
      );
      expect(runs).toBe(1);
      for (const answer of answers) {
        if (answer.status === 201) expect(answer.body.equals(payload)).toBe(true);
        else expect(answer.status).toBe(409);
      }
      const retry = await request(url, { path: '/upload', headers: { 'idempotency-key': key }, body: payload });
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body.equals(payload)).toBe(true);
    }, 30_000);
  });

  it('fingerprints the path the client sent when mounted under a prefix', async () => {
    runs = 0;
    const app = express();
    const router = express.Router();
    router.use(idempotency({ store: new MemoryStore() }));
    router.post('/:kind', (req, res) => void res.status(201).send(req.params.kind));
    app.use('/api', router);
    server = await listen(app);
    const key = newKey();
    await request(server.url, { path: '/api/charges', headers: { 'idempotency-key': key }, body: '{}' });
    const other = await request(server.url, { path: '/api/refunds', headers: { 'idempotency-key': key }, body: '{}' });
    expect(other.status).toBe(422);
  });
});

function assert201Json(response: { status: number; json(): unknown }, expected: unknown): void {
  expect(response.status).toBe(201);
  expect(response.json()).toEqual(expected);
}

/** Announces a 1000-byte body, sends 10 bytes, and hangs up. */
function abortMidBody(url: string, key: string): Promise<void> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(`POST /payments HTTP/1.1\r\nHost: x\r\nIdempotency-Key: ${key}\r\nContent-Length: 1000\r\n\r\n0123456789`);
      setTimeout(() => socket.destroy(), 30);
    });
    socket.on('close', () => resolve());
    socket.on('error', () => undefined);
  });
}
