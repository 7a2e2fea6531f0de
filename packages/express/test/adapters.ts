/** The few lines that mount the middleware in each framework for the shared HTTP scenario suite. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type express5 from 'express';
import type { ErrorRequestHandler } from 'express';
import { listen, type ScenarioResponse, type ScenarioSetup } from '@idem/testkit';
import { idempotency, idempotencyOutcome, idempotencyTransaction } from '../src';

export type ExpressFactory = typeof express5;

function send(res: ServerResponse, response: ScenarioResponse): void {
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  res.end(Buffer.from(response.body));
}

/** Express: idempotency first, then a body parser (the middleware must leave the body readable). */
export function expressAdapter(express: ExpressFactory) {
  return async (setup: ScenarioSetup) => {
    const app = express();
    app.use((req, res, next) => {
      res.once('close', () => setup.observe(req.headers, idempotencyOutcome(res)));
      next();
    });
    app.use(idempotency(setup.options));
    app.use(express.raw({ type: () => true, limit: '10mb' }));
    // Not async: a handler that throws synchronously reaches Express' own try/catch.
    app.use((req, res, next) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      setup
        .handle({
          method: req.method,
          url: req.originalUrl,
          headers: req.headers,
          body,
          transaction: (work, options) => idempotencyTransaction(req)(work, options),
        })
        .then((response) => send(res, response), next);
    });
    const errorHandler: ErrorRequestHandler = (error, req, res, next) => {
      if (req.headers['x-scenario-error-handler'] === 'throw') throw new Error('the error handler failed too');
      next(error);
    };
    app.use(errorHandler);
    return listen(app);
  };
}

/** Plain node:http: `next` is the app itself; its failures answer 500 by hand. */
export async function nodeHttpAdapter(setup: ScenarioSetup) {
  const middleware = idempotency(setup.options);
  return listen((req: IncomingMessage, res: ServerResponse) => {
    res.once('close', () => setup.observe(req.headers, idempotencyOutcome(res)));
    middleware(req, res, async () => {
      try {
        const body = await readAll(req);
        send(
          res,
          await setup.handle({
            method: req.method ?? 'GET',
            url: req.url ?? '/',
            headers: req.headers,
            body,
            transaction: (work, options) => idempotencyTransaction(req)(work, options),
          }),
        );
      } catch {
        res.statusCode = 500;
        res.end('internal error');
      }
    });
  });
}

export async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
