/** A Nest app on each platform, with the interceptor in front of the shared scenario handler. */
import 'reflect-metadata';
import {
  All,
  Catch,
  Controller,
  Inject,
  Module,
  Req,
  Res,
  type ArgumentsHost,
  type ExceptionFilter,
  type INestApplication,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { ScenarioHandler, ScenarioRequest, ScenarioResponse, ScenarioServer, ScenarioSetup } from '@idem/testkit';
import { IdempotencyModule, Idempotent, idempotencyOutcome, idempotencyTransaction, type NestIdempotencyOptions } from '../src';

const SCENARIO = Symbol('scenario handler');

interface AnyRequest {
  method: string;
  url: string;
  originalUrl?: string;
  headers: IncomingHttpHeaders;
  rawBody?: Buffer;
}
interface AnyReply {
  status?(code: number): AnyReply;
  code?(code: number): AnyReply;
  header?(name: string, value: string | string[]): AnyReply;
  setHeader?(name: string, value: string | string[]): void;
  send(body: Buffer): unknown;
}

/** A catch-all controller; the wildcard is spelled per platform (Express 5 `*path`, Fastify `*`). */
function scenarioController(wildcard: string) {
  @Controller()
  @Idempotent()
  class ScenarioController {
    constructor(@Inject(SCENARIO) private readonly handle: ScenarioHandler) {}

    /**
     * `@Res()`: the handler writes status, headers and exact bytes itself, on either platform. Not
     * async, so a handler that throws synchronously reaches Nest's own try/catch. Without a body
     * parser (`rawBody` unset), the handler reads the stream the interceptor left intact.
     */
    @All(wildcard)
    any(@Req() req: AnyRequest, @Res() res: AnyReply): Promise<void> {
      const request = {
        method: req.method,
        url: req.originalUrl ?? req.url,
        headers: req.headers,
        transaction: (work, options) => idempotencyTransaction(req)(work, options),
      } satisfies Omit<ScenarioRequest, 'body'>;
      // Fastify's request is no stream: its content parser ran (or there was no body).
      if (req.rawBody !== undefined || 'raw' in req)
        return this.handle({ ...request, body: req.rawBody ?? Buffer.alloc(0) }).then((response) => reply(res, response));
      return readAll(req as unknown as IncomingMessage)
        .then((body) => this.handle({ ...request, body }))
        .then((response) => reply(res, response));
    }
  }
  return ScenarioController;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The app's exception filter: a 500 of its own, or a throw in turn (`x-scenario-error-handler: throw`). */
@Catch()
class ScenarioFilter implements ExceptionFilter {
  catch(_exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<AnyRequest>();
    if (req.headers['x-scenario-error-handler'] === 'throw') throw new Error('the exception filter failed too');
    reply(host.switchToHttp().getResponse<AnyReply>(), {
      status: 500,
      headers: { 'content-type': 'text/plain' },
      body: new TextEncoder().encode('internal error'),
    });
  }
}

function reply(res: AnyReply, response: ScenarioResponse): void {
  if (res.code) res.code(response.status);
  else res.status!(response.status);
  for (const [name, value] of Object.entries(response.headers)) {
    if (res.header) res.header(name, value);
    else res.setHeader!(name, value);
  }
  res.send(Buffer.from(response.body));
}

function appModule(setup: ScenarioSetup, wildcard: string) {
  @Module({
    imports: [IdempotencyModule.forRoot(setup.options as NestIdempotencyOptions)],
    controllers: [scenarioController(wildcard)],
    providers: [{ provide: SCENARIO, useValue: setup.handle }],
  })
  class ScenarioModule {}
  return ScenarioModule;
}

async function serve(app: INestApplication): Promise<ScenarioServer> {
  app.useGlobalFilters(new ScenarioFilter());
  await app.listen(0, '127.0.0.1');
  return { url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), close: () => app.close() };
}

/** Express platform: every body kept raw (`rawBody: true` + a raw parser for every type). */
export async function nestExpressAdapter(setup: ScenarioSetup): Promise<ScenarioServer> {
  const app = await NestFactory.create<NestExpressApplication>(appModule(setup, '*path'), new ExpressAdapter(), {
    rawBody: true,
    bodyParser: false,
    logger: false,
  });
  observeOnExpress(app, setup);
  app.useBodyParser('raw', { type: () => true, limit: '10mb' });
  return serve(app);
}

/** Express platform with no body parser at all: the interceptor reads the body itself. */
export async function nestExpressNoParserAdapter(setup: ScenarioSetup): Promise<ScenarioServer> {
  const app = await NestFactory.create<NestExpressApplication>(appModule(setup, '*path'), new ExpressAdapter(), {
    bodyParser: false,
    logger: false,
  });
  observeOnExpress(app, setup);
  return serve(app);
}

function observeOnExpress(app: NestExpressApplication, setup: ScenarioSetup): void {
  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    res.once('close', () => setup.observe(req.headers, idempotencyOutcome(req)));
    next();
  });
}

/** Fastify platform: one content parser for every type keeps the raw bytes as `request.rawBody`. */
export async function nestFastifyAdapter(setup: ScenarioSetup): Promise<ScenarioServer> {
  const app = await NestFactory.create<NestFastifyApplication>(appModule(setup, '*'), new FastifyAdapter({ bodyLimit: 10 * 1024 * 1024 }), {
    bodyParser: false,
    logger: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onResponse', async (request) => setup.observe(request.headers, idempotencyOutcome(request)));
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    (request as unknown as { rawBody: Buffer }).rawBody = body as Buffer;
    done(null, body);
  });
  return serve(app);
}
