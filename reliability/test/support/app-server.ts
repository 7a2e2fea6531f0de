/**
 * The app under test, run as its own OS process (forked with tsx) so it can be SIGKILLed, frozen with
 * SIGSTOP, or watched for crashes. Express (or plain node:http) + `@idem/express` + the store named in
 * IDEM_APP. Everything the parent must count survives a kill: each handler execution, lost lease, store
 * error and unhandled rejection is appended as one JSON line to the events file before anything else.
 */
import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { idempotency, idempotencyTransaction, wasStored, isReplayed, type ExpressIdempotencyOptions } from '@idem/express';
import { ledgerWriter } from './ledger';
import { createStore, type StoreConfig } from './store-factory';

export interface AppConfig {
  store: StoreConfig;
  /** Append-only JSON-lines file the parent reads (executions, lease losses, store errors). */
  events: string;
  kind?: 'express' | 'node-http';
  lockTtl?: number;
  ttl?: number;
  failOpen?: boolean;
  maxBodyBytes?: number;
  hashKeys?: boolean;
  /**
   * Transactional mode: the handler writes one row into this ledger table (no unique constraint) through
   * `idempotencyTransaction(req)` before it waits, so the row commits with the record or not at all.
   */
  ledger?: string;
  /** How far this process's clock (idem's `now`) is off the machine's, ms: app servers whose clocks disagree. */
  clockSkewMs?: number;
  /**
   * Every hook throws or rejects, and `errorHandler` throws or rejects in turn: what user code with a
   * bug does. Each failure reaches `onCallbackError` (recorded as `callback-error`); none may change an
   * answer, leak a lease or escape as an unhandled rejection.
   */
  throwingCallbacks?: boolean;
}

const config = JSON.parse(process.env.IDEM_APP ?? '') as AppConfig;
const pid = process.pid;
let executions = 0;

function record(event: Record<string, unknown>): void {
  appendFileSync(config.events, `${JSON.stringify({ ...event, pid })}\n`);
}

process.on('unhandledRejection', (reason) => record({ type: 'unhandled-rejection', reason: String(reason) }));
process.on('uncaughtException', (error) => {
  record({ type: 'uncaught-exception', reason: String(error?.stack ?? error) });
  process.exit(70);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The handler with an effect: the side-channel line is written before it waits, so a kill cannot hide it. */
async function pay(
  key: string | undefined,
  delayMs: number,
  amount: unknown,
  req?: IncomingMessage,
): Promise<{ status: number; body: string }> {
  executions++;
  record({ type: 'exec', key });
  if (config.ledger && req) {
    const write = ledgerWriter(config.store.kind, config.ledger);
    // The row is written at once; the transaction stays open while the handler waits, until the record commits.
    await idempotencyTransaction(req)((tx) => write(tx, key ?? '', pid));
    record({ type: 'ledger-written', key });
  }
  if (delayMs > 0) await sleep(delayMs);
  return { status: 201, body: JSON.stringify({ id: `pay_${pid}_${executions}`, pid, amount }) };
}

/** How long the handler works, from a header (headers are not part of the fingerprint: a retry may drop it). */
function delayOf(req: IncomingMessage): number {
  const value = Number(headerText(req, 'x-delay-ms') ?? 0);
  return Number.isFinite(value) && value > 0 ? Math.min(value, 60_000) : 0;
}

async function main(): Promise<void> {
  const { store, describe } = await createStore(config.store, record);
  const options: ExpressIdempotencyOptions = {
    ...(config.throwingCallbacks ? throwingCallbacks() : {}),
    store,
    ...(config.lockTtl ? { lockTtl: config.lockTtl } : {}),
    ...(config.ttl ? { ttl: config.ttl } : {}),
    ...(config.failOpen ? { failOpen: true } : {}),
    ...(config.maxBodyBytes ? { maxBodyBytes: config.maxBodyBytes } : {}),
    ...(config.hashKeys ? { hashKeys: true } : {}),
    ...(config.clockSkewMs ? { now: () => Date.now() + (config.clockSkewMs as number) } : {}),
    scope: (req) => headerText(req, 'x-tenant'),
    onLeaseLost: (key) => {
      record({ type: 'lease-lost', key });
      if (config.throwingCallbacks) throw new Error('onLeaseLost bug');
    },
    onStoreError: (error, context) => {
      record({ type: 'store-error', code: error.code, failOpen: context.failOpen, message: error.message });
      if (config.throwingCallbacks) return Promise.reject(new Error('onStoreError bug'));
    },
  };
  const guard = idempotency(options);

  /** Which of these storage keys are stuck: held by a live lease that nothing will end (none may be). */
  const stuckKeys = async (keys: string[]) => {
    const now = Date.now();
    const stuck: string[] = [];
    for (const key of keys) {
      const found = await store.get(key);
      if (found && found.status === 'in_progress' && found.lockExpiresAt > now) stuck.push(key);
    }
    return stuck;
  };
  const stats = () => ({ pid, executions, heapUsed: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss, store: describe() });
  const observe = (req: IncomingMessage, res: ServerResponse) =>
    res.on('finish', () => {
      if (req.url?.startsWith('/payments'))
        record({
          type: 'outcome',
          key: headerText(req, 'idempotency-key'),
          status: res.statusCode,
          stored: wasStored(res),
          replayed: isReplayed(res),
        });
    });

  let server;
  if ((config.kind ?? 'express') === 'express') {
    const app = express();
    app.get('/stats', (_req, res) => res.json(stats()));
    app.post('/stuck-keys', express.json({ limit: '16mb' }), async (req, res) => res.json(await stuckKeys(req.body as string[])));
    app.use((req, res, next) => (observe(req, res), next()));
    app.use(guard);
    app.post('/payments', express.json({ limit: '64kb' }), async (req, res) => {
      const result = await pay(
        headerText(req, 'idempotency-key'),
        delayOf(req),
        (req.body as { amount?: unknown } | undefined)?.amount,
        req,
      );
      res.status(result.status).type('application/json').send(result.body);
    });
    app.post('/text', express.text({ type: '*/*', limit: '16kb' }), (req, res) =>
      res.status(200).send(`len=${String(req.body ?? '').length}`),
    );
    app.put('/raw', express.raw({ type: '*/*', limit: '32kb' }), (req, res) =>
      res.status(200).send(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)),
    );
    app.delete('/payments/:id', (_req, res) => res.status(204).end());
    if (config.ledger) {
      // The ledger's database failed under the handler (its connection was cut): the app answers 503, which
      // idem does not store, so the transaction is rolled back and the key released for the retry.
      app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        record({ type: 'handler-error', reason: String((error as Error)?.message ?? error) });
        res.status(503).set('retry-after', '1').json({ error: 'database unavailable' });
      });
    }
    server = app.listen(0, '127.0.0.1');
  } else {
    server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/stats') return sendJson(res, 200, JSON.stringify(stats()));
      if (req.method === 'POST' && req.url === '/stuck-keys')
        return void readJson(req).then(async (keys) => sendJson(res, 200, JSON.stringify(await stuckKeys(keys as string[]))));
      observe(req, res);
      guard(req, res, () => void plainHandler(req, res));
    });
    server.listen(0, '127.0.0.1');
  }
  server.on('clientError', (_error, socket) => socket.destroy());
  // The test process reuses idle sockets for up to 4 s (fetch's reading of Node's 5 s keep-alive). On a
  // loaded machine its timers run late, so it sent a request on a socket this server had just closed
  // (ECONNRESET, no answer at all): idle sockets stay open far longer than any client keeps them.
  server.keepAliveTimeout = 60_000;
  server.once('listening', () => process.send?.({ type: 'listening', port: (server.address() as AddressInfo).port, pid }));
}

/**
 * Hooks that fail every way user code can: synchronously or by rejecting. `onCacheMiss` first records
 * the storage key it was handed (every lease acquired), so the parent can check none is left stuck.
 */
function throwingCallbacks(): Partial<ExpressIdempotencyOptions> {
  let errors = 0;
  return {
    onCacheMiss: (_key, _req, { storageKey }) => {
      record({ type: 'acquired', storageKey });
      return Promise.reject(new Error('onCacheMiss bug'));
    },
    onCacheHit: () => {
      throw new Error('onCacheHit bug');
    },
    onLockConflict: () => Promise.reject(new Error('onLockConflict bug')),
    // Throws for every 4xx the app answers (malformed JSON, unknown paths): nothing is stored, the key
    // is released, which is the path a stuck key would come from.
    shouldStore: (response) => {
      if (response.status >= 400) throw new Error('shouldStore bug');
      return response.status < 500;
    },
    onMismatch: () => {
      throw new Error('onMismatch bug');
    },
    errorHandler: () => {
      if (++errors % 2 === 0) throw new Error('errorHandler bug');
      return Promise.reject(new Error('async errorHandler bug'));
    },
    onCallbackError: (error) => record({ type: 'callback-error', callback: error.callback }),
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** The node:http app: reads the body itself, answers 400 for malformed JSON, 413 past 64 KiB. */
async function plainHandler(req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > 64 * 1024) return sendJson(res, 413, '{"error":"too large"}');
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    let body: { amount?: unknown } | undefined;
    if (text.length > 0 && (req.headers['content-type'] ?? '').includes('json')) {
      try {
        body = JSON.parse(text) as { amount?: unknown };
      } catch {
        return sendJson(res, 400, '{"error":"malformed json"}');
      }
    }
    if (req.method === 'POST' && req.url?.startsWith('/payments')) {
      const result = await pay(headerText(req, 'idempotency-key'), delayOf(req), body?.amount);
      return sendJson(res, result.status, result.body);
    }
    sendJson(res, 200, JSON.stringify({ len: text.length }));
  } catch {
    // The client went away mid-body: nobody to answer.
    res.destroy();
  }
}

function sendJson(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(body);
}

function headerText(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

main().catch((error: unknown) => {
  record({ type: 'startup-failed', reason: String((error as Error)?.stack ?? error) });
  process.exit(1);
});
