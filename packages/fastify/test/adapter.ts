/** Mounts the plugin in a Fastify app around the shared scenario handler. */
import Fastify from 'fastify';
import { listen, type ScenarioSetup } from '@idem/testkit';
import { idempotency, idempotencyTransaction } from '../src';

export async function fastifyAdapter(setup: ScenarioSetup) {
  const app = Fastify({ bodyLimit: 10 * 1024 * 1024 });
  // The scenario handler wants the raw bytes of every body, whatever its content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  await app.register(idempotency, setup.options);
  app.addHook('onResponse', async (request) => setup.observe(request.headers, request.idempotency));
  app.setErrorHandler(async (_error, request, reply) => {
    if (request.headers['x-scenario-error-handler'] === 'throw') throw new Error('the error handler failed too');
    return reply.code(500).send({ error: 'internal' });
  });
  // Not async: a handler that throws synchronously reaches Fastify's own try/catch.
  app.all('/*', (request, reply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    return setup
      .handle({
        method: request.method,
        url: request.url,
        headers: request.headers,
        body,
        transaction: (work, options) => idempotencyTransaction(request)(work, options),
      })
      .then((response) => reply.code(response.status).headers(response.headers).send(Buffer.from(response.body)));
  });
  await app.ready();
  return listen(app.server);
}
