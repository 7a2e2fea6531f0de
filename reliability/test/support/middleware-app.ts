/**
 * One app per idem middleware, each as its framework's docs would have it (its usual body parsing, no
 * error hooks of ours), run as its own OS process under Node's default error handling: no
 * 'uncaughtException' or 'unhandledRejection' listener and no 'clientError' handler, so any error idem
 * leaves unhandled ends the process, and the parent sees the exit. SIGTERM closes the app the
 * framework's own way and exits 0 once that close resolves (a close that hangs never exits).
 */
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { MemoryStore } from '@idem/memory';

export type MiddlewareKind = 'express' | 'fastify' | 'koa' | 'hono' | 'nestjs' | 'fetch';

export interface MiddlewareAppConfig {
  kind: MiddlewareKind;
}

const config = JSON.parse(process.env.IDEM_MIDDLEWARE_APP ?? '') as MiddlewareAppConfig;
const store = new MemoryStore({ prefix: `${config.kind}:` });
const options = { store, lockTtl: 2_000, maxBodyBytes: 16 * 1024 };
const paid = (amount: unknown) => ({ id: `pay_${process.pid}`, amount });

interface RunningApp {
  server: Server;
  close(): Promise<unknown>;
}

async function express(): Promise<RunningApp> {
  const { default: createApp, json } = await import('express');
  const { idempotency } = await import('@idem/express');
  const app = createApp();
  app.use(json(), idempotency(options));
  app.post('/payments', (req, res) => void res.status(201).json(paid((req.body as { amount?: unknown } | undefined)?.amount)));
  const server = app.listen(0, '127.0.0.1');
  return { server, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function fastify(): Promise<RunningApp> {
  const { default: Fastify } = await import('fastify');
  const { idempotency } = await import('@idem/fastify');
  const app = Fastify();
  await app.register(idempotency, options);
  app.post('/payments', async (request, reply) => reply.code(201).send(paid((request.body as { amount?: unknown } | undefined)?.amount)));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { server: app.server, close: () => app.close() };
}

async function koa(): Promise<RunningApp> {
  const { default: Koa } = await import('koa');
  const { bodyParser } = await import('@koa/bodyparser');
  const { idempotency } = await import('@idem/koa');
  const app = new Koa();
  app.use(bodyParser());
  app.use(idempotency(options));
  app.use((ctx) => {
    if (ctx.method !== 'POST' || ctx.path !== '/payments') return;
    ctx.status = 201;
    ctx.body = paid((ctx.request.body as { amount?: unknown } | undefined)?.amount);
  });
  const server = app.listen(0, '127.0.0.1');
  return { server, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function hono(): Promise<RunningApp> {
  const { Hono } = await import('hono');
  const { createAdaptorServer } = await import('@hono/node-server');
  const { idempotency } = await import('@idem/hono');
  const app = new Hono();
  app.use(idempotency(options));
  app.post('/payments', async (c) => c.json(paid(((await c.req.json().catch(() => ({}))) as { amount?: unknown }).amount), 201));
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  server.listen(0, '127.0.0.1');
  return { server, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function fetchHandler(): Promise<RunningApp> {
  const { createAdaptorServer } = await import('@hono/node-server');
  const { idempotency } = await import('@idem/fetch');
  const handler = idempotency(options)(async (request: Request) => {
    const url = new URL(request.url);
    if (request.method !== 'POST' || url.pathname !== '/payments') return new Response('not found', { status: 404 });
    const body = (await request.json().catch(() => ({}))) as { amount?: unknown };
    return Response.json(paid(body.amount), { status: 201 });
  });
  const server = createAdaptorServer({ fetch: handler }) as Server;
  server.listen(0, '127.0.0.1');
  return { server, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function nestjs(): Promise<RunningApp> {
  const { Body, Controller, HttpCode, Module, Post } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const { IdempotencyModule } = await import('@idem/nestjs');
  // Decorators applied by hand: this file runs without emitted decorator metadata.
  class PaymentsController {
    pay(body: { amount?: unknown } | undefined) {
      return paid(body?.amount);
    }
  }
  const pay = Object.getOwnPropertyDescriptor(PaymentsController.prototype, 'pay')!;
  Body()(PaymentsController.prototype, 'pay', 0);
  HttpCode(201)(PaymentsController.prototype, 'pay', pay);
  Post('payments')(PaymentsController.prototype, 'pay', pay);
  Controller()(PaymentsController);
  class AppModule {}
  Module({ imports: [IdempotencyModule.forRoot({ ...options, protectAll: true })], controllers: [PaymentsController] })(AppModule);
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  return { server: app.getHttpServer() as Server, close: () => app.close() };
}

const starters: Record<MiddlewareKind, () => Promise<RunningApp>> = { express, fastify, koa, hono, nestjs, fetch: fetchHandler };

async function main(): Promise<void> {
  const app = await starters[config.kind]();
  const announce = () => process.send?.({ type: 'listening', port: (app.server.address() as AddressInfo).port, pid: process.pid });
  if (app.server.listening) announce();
  else app.server.once('listening', announce);
  process.once('SIGTERM', () => {
    void app.close().then(async () => {
      await store.close();
      process.exit(0);
    });
  });
}

void main();
