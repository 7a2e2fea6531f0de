import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  Body,
  Controller,
  HttpCode,
  Injectable,
  Module,
  Post,
  Req,
  StreamableFile,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
  type NestMiddleware,
  type MiddlewareConsumer,
  HttpException,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ConfigurationError } from '@idem/core';
import { MemoryStore } from '@idem/memory';
import { leaveMidBody } from '@idem/testkit';
import { IdempotencyModule, Idempotent, idempotencyOutcome, type IdempotencyOutcome, type NestIdempotencyOptions } from '../src';

const store = new MemoryStore();
afterAll(() => store.close());

let runs = 0;
const outcomes: IdempotencyOutcome[] = [];

@Injectable()
class FakeAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string>; user?: { id: string } }>();
    request.user = { id: request.headers['x-user'] ?? 'anonymous' };
    return true;
  }
}

@Controller('payments')
class PaymentsController {
  @Post()
  @Idempotent()
  @HttpCode(201)
  charge(@Body() body: { amount: number }) {
    return { id: `pay_${++runs}`, amount: body.amount };
  }

  @Post('open')
  open() {
    return { run: ++runs };
  }

  @Post('strict')
  @Idempotent({ requireKey: true })
  strict() {
    return { run: ++runs };
  }

  @Post('declined')
  @Idempotent()
  declined() {
    runs++;
    if (runs % 2 === 1) throw new HttpException('card declined', 402);
    return { charged: true };
  }

  @Post('export')
  @Idempotent({ maxResponseBytes: 1024 })
  export() {
    runs++;
    const rows = Array.from({ length: 40 }, (_, i) => `row ${i} ${'n'.repeat(80)}\n`);
    return new StreamableFile(Readable.from(rows), { type: 'text/csv' });
  }

  @Post('mine')
  @UseGuards(FakeAuthGuard)
  @Idempotent({ scope: (req) => (req as { user?: { id: string } }).user?.id })
  mine(@Req() req: { user: { id: string } }) {
    return { user: req.user.id, run: ++runs };
  }
}

@Controller('everything')
class EverythingController {
  @Post()
  guarded() {
    return { run: ++runs };
  }

  @Post('webhook')
  @Idempotent(false)
  webhook() {
    return { run: ++runs };
  }
}

/** Reads the outcome once the response is sent, as a logging middleware would. */
class OutcomeLogger implements NestMiddleware {
  use(req: object, res: { once(event: 'finish', listener: () => void): void }, next: () => void): void {
    res.once('finish', () => outcomes.push(idempotencyOutcome(req)));
    next();
  }
}

function moduleWith(idem: ReturnType<typeof IdempotencyModule.forRoot>) {
  @Module({ imports: [idem], controllers: [PaymentsController, EverythingController] })
  class AppModule {
    configure(consumer: MiddlewareConsumer) {
      consumer.apply(OutcomeLogger).forRoutes('*path');
    }
  }
  return AppModule;
}

const platforms: Array<[string, () => ExpressAdapter | FastifyAdapter]> = [
  ['Express', () => new ExpressAdapter()],
  ['Fastify', () => new FastifyAdapter()],
];

for (const [platform, adapter] of platforms) {
  describe(`@idem/nestjs on ${platform}`, () => {
    let app: INestApplication;
    let base = '';
    const post = (path: string, key: string | undefined, body: string = '{"amount":100}', headers: Record<string, string> = {}) =>
      fetch(base + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }), ...headers },
        body,
      });

    beforeAll(async () => {
      app = await NestFactory.create(moduleWith(IdempotencyModule.forRoot({ store })), adapter(), { logger: false });
      await app.listen(0, '127.0.0.1');
      base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    });
    afterAll(() => app.close());

    it('replays what Nest serialized, byte for byte, with its status and content type', async () => {
      const key = randomUUID();
      const before = runs;
      const first = await post('/payments', key);
      const firstBody = await first.text();
      const retry = await post('/payments', key);
      expect(first.status).toBe(201);
      expect(JSON.parse(firstBody)).toEqual({ id: `pay_${before + 1}`, amount: 100 });
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(await retry.text()).toBe(firstBody);
      expect(retry.headers.get('content-type')).toBe(first.headers.get('content-type'));
      expect(runs - before).toBe(1);
    });

    it('answers 422 to the same key with another body (the parsed body is fingerprinted)', async () => {
      const key = randomUUID();
      await post('/payments', key, '{"amount":1}');
      const other = await post('/payments', key, '{"amount":2}');
      expect(other.status).toBe(422);
      expect(other.headers.get('content-type')).toBe('application/problem+json');
      expect((await other.json()).code).toBe('REQUEST_MISMATCH');
    });

    it('leaves handlers without @Idempotent() alone (protectAll is off)', async () => {
      const key = randomUUID();
      const before = runs;
      await post('/payments/open', key);
      const second = await post('/payments/open', key);
      expect(runs - before).toBe(2);
      expect(second.headers.get('idempotent-replayed')).toBeNull();
    });

    it("applies a handler's own @Idempotent({ ... }) options", async () => {
      const response = await post('/payments/strict', undefined);
      expect(response.status).toBe(400);
      expect((await response.json()).code).toBe('MISSING_KEY');
    });

    it('does not store what a thrown HttpException answers: a retry runs again', async () => {
      runs = 0;
      const key = randomUUID();
      const failed = await post('/payments/declined', key);
      expect(failed.status).toBe(402);
      const retry = await post('/payments/declined', key);
      expect(retry.status).toBe(201);
      expect(await retry.json()).toEqual({ charged: true });
      expect(runs).toBe(2);
    });

    it('streams a StreamableFile past maxResponseBytes to the first client; a retry gets 409 RESPONSE_NOT_STORED', async () => {
      const key = randomUUID();
      const before = runs;
      const first = await post('/payments/export', key);
      expect((await first.text()).split('\n')).toHaveLength(41);
      const retry = await post('/payments/export', key);
      expect(retry.status).toBe(409);
      expect((await retry.json()).code).toBe('RESPONSE_NOT_STORED');
      expect(runs - before).toBe(1);
    });

    it('runs after guards: scope sees the user a guard authenticated', async () => {
      const key = randomUUID();
      const alice = await post('/payments/mine', key, '{}', { 'x-user': 'alice' });
      const bob = await post('/payments/mine', key, '{}', { 'x-user': 'bob' });
      expect((await bob.json()).user).toBe('bob');
      expect(bob.headers.get('idempotent-replayed')).toBeNull();
      const aliceAgain = await post('/payments/mine', key, '{}', { 'x-user': 'alice' });
      expect(aliceAgain.headers.get('idempotent-replayed')).toBe('true');
      expect(await aliceAgain.text()).toBe(await alice.text());
    });

    it('exposes the outcome with idempotencyOutcome(req)', async () => {
      const key = randomUUID();
      outcomes.length = 0;
      await post('/payments', key);
      await post('/payments', key);
      await post('/payments/open', key);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(outcomes).toEqual([
        { protected: true, replayed: false, stored: true, key },
        { protected: true, replayed: true, stored: false, key },
        { protected: false, replayed: false, stored: false, key: undefined },
      ]);
    });
  });
}

describe('@idem/nestjs module', () => {
  it('forRootAsync builds the options from injected providers; protectAll protects every route but @Idempotent(false)', async () => {
    const STORE = Symbol('store');
    @Module({ providers: [{ provide: STORE, useValue: store }], exports: [STORE] })
    class StoreModule {}
    @Module({
      imports: [
        IdempotencyModule.forRootAsync({
          imports: [StoreModule],
          inject: [STORE],
          useFactory: (s: MemoryStore) => ({ store: s, protectAll: true }),
        }),
      ],
      controllers: [EverythingController],
    })
    class AsyncModule {}
    const app = await NestFactory.create(AsyncModule, new ExpressAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    try {
      const send = (path: string, key: string) => fetch(base + path, { method: 'POST', headers: { 'idempotency-key': key } });
      const key = randomUUID();
      await send('/everything', key);
      expect((await send('/everything', key)).headers.get('idempotent-replayed')).toBe('true');
      await send('/everything/webhook', key);
      expect((await send('/everything/webhook', key)).headers.get('idempotent-replayed')).toBeNull();
    } finally {
      await app.close();
    }
  });

  it('fails at bootstrap with a ConfigurationError for bad options', async () => {
    const bad = { store, maxBodyBytes: -1 } as NestIdempotencyOptions;
    await expect(
      NestFactory.create(moduleWith(IdempotencyModule.forRoot(bad)), new ExpressAdapter(), { logger: false, abortOnError: false }),
    ).rejects.toThrow(ConfigurationError);
    const badFlag = { store, protectAll: 'yes' } as unknown as NestIdempotencyOptions;
    await expect(
      NestFactory.create(moduleWith(IdempotencyModule.forRoot(badFlag)), new ExpressAdapter(), { logger: false, abortOnError: false }),
    ).rejects.toThrow('`protectAll` must be a boolean');
  });
});

describe('@idem/nestjs with an app-wide mapping interceptor', () => {
  it('records what the mapping produced and replays it without mapping again', async () => {
    const { map } = await import('rxjs');
    const app = await NestFactory.create(moduleWith(IdempotencyModule.forRoot({ store })), new ExpressAdapter(), { logger: false });
    let mapped = 0;
    app.useGlobalInterceptors({ intercept: (_context, next) => next.handle().pipe(map((data) => (mapped++, { data }))) });
    await app.listen(0, '127.0.0.1');
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    try {
      const key = randomUUID();
      const send = () =>
        fetch(`${base}/payments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          body: '{"amount":7}',
        });
      const first = await (await send()).text();
      const retry = await send();
      expect(JSON.parse(first).data.amount).toBe(7);
      expect(await retry.text()).toBe(first);
      expect(mapped).toBe(1);
    } finally {
      await app.close();
    }
  });
});

describe('@idem/nestjs without a body parser', () => {
  @Controller('unparsed')
  class UnparsedController {
    @Post()
    @Idempotent()
    charge() {
      return { run: ++runs };
    }
  }
  @Module({ imports: [IdempotencyModule.forRoot({ store })], controllers: [UnparsedController] })
  class UnparsedModule {}

  it('never runs the handler for a client that leaves mid-body (the interceptor read the body itself)', async () => {
    const app = await NestFactory.create(UnparsedModule, new ExpressAdapter(), { bodyParser: false, logger: false });
    await app.listen(0, '127.0.0.1');
    try {
      const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      const before = runs;
      const key = randomUUID();
      await leaveMidBody(base, { 'idempotency-key': key }, { path: '/unparsed' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(runs - before).toBe(0);
      const retry = await fetch(`${base}/unparsed`, { method: 'POST', headers: { 'idempotency-key': key }, body: '{}' });
      expect(retry.status).toBe(201);
      expect(runs - before).toBe(1);
    } finally {
      await app.close();
    }
  });
});
