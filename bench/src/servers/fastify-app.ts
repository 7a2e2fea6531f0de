/**
 * The bench app of bench-app.ts on Fastify 5: the same routes, bodies and counters, with the plugin
 * under test registered first, so the ratio to bare Fastify is the cost of the idempotency layer alone.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { attempt, BINARY_BODY, stats } from './bench-app';

/** `protect` registers the plugin under test on the app. */
export async function createFastifyBenchApp(protect?: (app: FastifyInstance) => PromiseLike<unknown>): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  if (protect) await protect(app);
  app.get('/__stats', async () => {
    const cpu = process.cpuUsage();
    return { ...stats, cpuUs: cpu.user + cpu.system };
  });
  let orderSeq = 0;
  app.post('/orders', async (request, reply) => {
    stats.executions++;
    const { amount, currency } = (request.body ?? {}) as { amount?: number; currency?: string };
    return reply.code(201).send({ id: `ord_${++orderSeq}`, amount, currency, status: 'created' });
  });
  app.post('/binary', async (_request, reply) => {
    stats.executions++;
    return reply.code(201).type('application/octet-stream').send(BINARY_BODY);
  });
  const key = (headers: Record<string, unknown>) => String(headers['idempotency-key'] ?? '');
  app.post('/fails-once', async (request, reply) => {
    stats.executions++;
    if (attempt(key(request.headers)) === 1) return reply.code(500).send({ error: 'temporarily unavailable' });
    return reply.code(201).send({ status: 'created' });
  });
  app.post('/throws-once', async (request, reply) => {
    stats.executions++;
    if (attempt(key(request.headers)) === 1) throw new Error('temporarily unavailable');
    return reply.code(201).send({ status: 'created' });
  });
  return app;
}

/** Listens on an ephemeral loopback port, says which on stdout; SIGTERM closes (and lets --cpu-prof write). */
export async function serveFastify(app: FastifyInstance, close: () => Promise<void> = async () => {}): Promise<void> {
  app.server.keepAliveTimeout = 65_000;
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  process.stdout.write(`${JSON.stringify({ ready: typeof address === 'object' && address ? address.port : 0 })}\n`);
  const stop = () => {
    app.server.closeAllConnections();
    app
      .close()
      .then(close)
      .catch((error: unknown) => console.error('close failed', error))
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
