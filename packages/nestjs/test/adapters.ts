/** A Nest app on each platform, with the interceptor in front of the shared scenario handler. */
import 'reflect-metadata';
import { All, Controller, Inject, Module, Req, Res, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { ScenarioHandler, ScenarioResponse, ScenarioServer, ScenarioSetup } from '@idem/testkit';
import { IdempotencyModule, Idempotent, idempotencyTransaction, type NestIdempotencyOptions } from '../src';

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

    /** `@Res()`: the handler writes status, headers and exact bytes itself, on either platform. */
    @All(wildcard)
    async any(@Req() req: AnyRequest, @Res() res: AnyReply): Promise<void> {
      const response = await this.handle({
        method: req.method,
        url: req.originalUrl ?? req.url,
        headers: req.headers,
        body: req.rawBody ?? Buffer.alloc(0),
        transaction: (work, options) => idempotencyTransaction(req)(work, options),
      });
      reply(res, response);
    }
  }
  return ScenarioController;
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
  await app.listen(0, '127.0.0.1');
  return { url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), close: () => app.close() };
}

/** Express platform: every body kept raw (`rawBody: true` + a raw parser for every type). */
export async function nestExpressAdapter(setup: ScenarioSetup): Promise<ScenarioServer> {
  const app = await NestFactory.create<NestExpressApplication>(appModule(setup, '*path'), new ExpressAdapter(), { rawBody: true, bodyParser: false, logger: false });
  app.useBodyParser('raw', { type: () => true, limit: '10mb' });
  return serve(app);
}

/** Fastify platform: one content parser for every type keeps the raw bytes as `request.rawBody`. */
export async function nestFastifyAdapter(setup: ScenarioSetup): Promise<ScenarioServer> {
  const app = await NestFactory.create<NestFastifyApplication>(appModule(setup, '*'), new FastifyAdapter({ bodyLimit: 10 * 1024 * 1024 }), { bodyParser: false, logger: false });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    (request as unknown as { rawBody: Buffer }).rawBody = body as Buffer;
    done(null, body);
  });
  return serve(app);
}
