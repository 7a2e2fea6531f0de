/**
 * The one app every HTTP variant serves: a small JSON POST handler (and a 1 KiB binary one for the
 * replay check), with the protection under test mounted in front. Only the middleware differs between
 * variants, so the ratio to the bare app is the cost of the idempotency layer alone.
 *
 * GET /__stats exposes counters taken inside this process: handler executions (the correctness
 * check), backend statements sent through a wrapped client (the per-request cost) and the process's
 * CPU time so far (the CPU µs per request of a cell).
 *
 * POST /fails-once and /throws-once answer 500, or throw, on the first call of each key and 201 after:
 * a correct layer stores neither failure, so the retry runs the handler again.
 */
import express, { type Request, type RequestHandler } from 'express';
import type { Server } from 'node:http';

export interface ServerStats {
  /** Times a handler really ran (a replay must not count). */
  executions: number;
  /** Backend statements sent, when the variant wraps its client to count them. */
  statements: number;
}

export const stats: ServerStats = { executions: 0, statements: 0 };

/** Calls per key of the fail-once routes (every framework's bench app counts here). */
const attempts = new Map<string, number>();
export function attempt(key: string): number {
  const count = (attempts.get(key) ?? 0) + 1;
  attempts.set(key, count);
  return count;
}

/** 1 KiB of every byte value: a body that only survives a byte-exact replay. */
export const BINARY_BODY = Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 7 + 3) % 256));

export interface BenchAppOptions {
  /** The middleware under test, mounted after the JSON body parser. */
  protect?: RequestHandler[];
  /** For libraries that call the handler on a replay too and expect it to check (express-idempotency). */
  alreadyAnswered?: (req: Request) => boolean;
  /** A database write `POST /orders` makes before answering (the ledger variants). */
  effect?: (req: Request, amount: number | undefined) => Promise<void>;
}

export function createBenchApp({ protect = [], alreadyAnswered, effect }: BenchAppOptions = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/__stats', (_req, res) => {
    const cpu = process.cpuUsage();
    res.json({ ...stats, cpuUs: cpu.user + cpu.system });
  });
  app.use(express.json());
  app.use(...(protect.length ? protect : [(_req: Request, _res: unknown, next: () => void) => next()]));
  let orderSeq = 0;
  app.post('/orders', async (req, res) => {
    if (alreadyAnswered?.(req)) return;
    stats.executions++;
    const { amount, currency } = (req.body ?? {}) as { amount?: number; currency?: string };
    if (effect) await effect(req, amount);
    res.status(201).json({ id: `ord_${++orderSeq}`, amount, currency, status: 'created' });
  });
  app.post('/binary', (req, res) => {
    if (alreadyAnswered?.(req)) return;
    stats.executions++;
    res.status(201).type('application/octet-stream').send(BINARY_BODY);
  });
  app.post('/fails-once', (req, res) => {
    if (alreadyAnswered?.(req)) return;
    stats.executions++;
    if (attempt(req.get('idempotency-key') ?? '') === 1) res.status(500).json({ error: 'temporarily unavailable' });
    else res.status(201).json({ status: 'created' });
  });
  app.post('/throws-once', (req, res) => {
    if (alreadyAnswered?.(req)) return;
    stats.executions++;
    if (attempt(req.get('idempotency-key') ?? '') === 1) throw new Error('temporarily unavailable');
    res.status(201).json({ status: 'created' });
  });
  return app;
}

/**
 * Listens on an ephemeral loopback port and tells the harness which one on stdout. SIGTERM closes
 * cleanly (and lets `--cpu-prof` write its profile).
 */
export function serve(app: express.Express, close: () => Promise<void> = async () => {}): Server {
  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(`${JSON.stringify({ ready: port })}\n`);
  });
  stopOnSignal(server, close);
  return server;
}

/** Keeps connections open as a load balancer would; SIGTERM or SIGINT closes the server, then `close`, then exits. */
export function stopOnSignal(server: Server, close: () => Promise<void>): void {
  server.keepAliveTimeout = 65_000;
  const stop = () => {
    server.closeAllConnections();
    server.close();
    close()
      .catch((error: unknown) => console.error('close failed', error))
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** Settings the harness passes to every server. */
export const benchEnv = {
  tag: process.env.BENCH_TAG ?? 'local',
  redisUrl: process.env.IDEM_REDIS_URL ?? 'redis://127.0.0.1:6379',
  pgUrl: process.env.IDEM_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  sqliteFile: process.env.BENCH_SQLITE_FILE ?? ':memory:',
  pgTable: process.env.BENCH_PG_TABLE ?? 'idem_bench',
  mysqlUrl: process.env.IDEM_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
};
