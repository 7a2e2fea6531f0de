/**
 * The bench app of bench-app.ts on Hono (on Node, through @hono/node-server): the same routes, bodies
 * and counters, with the middleware under test in front of the routes.
 */
import { serve as serveNode } from '@hono/node-server';
import { Hono, type MiddlewareHandler } from 'hono';
import type { Server } from 'node:http';
import { attempt, BINARY_BODY, stats, stopOnSignal } from './bench-app';

export function createHonoBenchApp(protect?: MiddlewareHandler): Hono {
  const app = new Hono();
  app.get('/__stats', (c) => {
    const cpu = process.cpuUsage();
    return c.json({ ...stats, cpuUs: cpu.user + cpu.system });
  });
  if (protect) app.use('*', protect);
  let orderSeq = 0;
  app.post('/orders', async (c) => {
    stats.executions++;
    const { amount, currency } = (await c.req.json().catch(() => ({}))) as { amount?: number; currency?: string };
    return c.json({ id: `ord_${++orderSeq}`, amount, currency, status: 'created' }, 201);
  });
  app.post('/binary', (c) => {
    stats.executions++;
    return c.body(new Uint8Array(BINARY_BODY), 201, { 'content-type': 'application/octet-stream' });
  });
  const key = (c: { req: { header(name: string): string | undefined } }) => c.req.header('idempotency-key') ?? '';
  app.post('/fails-once', (c) => {
    stats.executions++;
    if (attempt(key(c)) === 1) return c.json({ error: 'temporarily unavailable' }, 500);
    return c.json({ status: 'created' }, 201);
  });
  app.post('/throws-once', (c) => {
    stats.executions++;
    if (attempt(key(c)) === 1) throw new Error('temporarily unavailable');
    return c.json({ status: 'created' }, 201);
  });
  return app;
}

/** Listens on an ephemeral loopback port, says which on stdout; SIGTERM closes (and lets --cpu-prof write). */
export function serveHono(app: Hono, close: () => Promise<void> = async () => {}): void {
  const server = serveNode({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
    process.stdout.write(`${JSON.stringify({ ready: info.port })}\n`);
  }) as Server;
  stopOnSignal(server, close);
}
