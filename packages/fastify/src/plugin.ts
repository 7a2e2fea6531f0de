/**
 * The Fastify 5 plugin. Hooks only translate — every decision is core's `Idempotency.handle()`:
 * - `preParsing` keeps a copy of the raw body bytes as they stream to the content parser;
 * - `preHandler` (after parsing, validation and your auth hooks) asks core: pass, reply, or run;
 * - `onSend` records the serialized payload (schema serialization included) BEFORE it is sent;
 * - `onError` marks a handler that threw: its error reply is never recorded, the key is released.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Readable } from 'node:stream';
import { ConfigurationError, type HttpResponse, type IdempotencyRequest } from '@idem/core';
import { guardAbandonedExecution, nodeRequestHeaders, type AbandonGuard, type Execution } from '@idem/core/adapter';
import type { FastifyIdempotencyOptions, RouteIdempotencyConfig } from './options';
import { initialOutcome, type IdempotencyOutcome } from './outcome';
import { capturePayload } from './payload';
import { createProtection, type Protection } from './protection';
import { teeRequestBody, type RawBody } from './request-body';
import { transactions } from './transaction';

declare module 'fastify' {
  interface FastifyRequest {
    /** What idem did with this request (set for every request once the plugin is registered). */
    idempotency: IdempotencyOutcome;
  }
  interface FastifyContextConfig {
    /** Opt this route in (`true`, or its own options) or out (`false`) of idempotency. */
    idempotency?: RouteIdempotencyConfig;
  }
}

interface RequestState {
  protection: Protection;
  rawBody?: RawBody;
  execution?: Execution;
  guard?: AbandonGuard;
  failed?: boolean;
}

/** Options Fastify's `register` itself understands: never handed to core. */
const REGISTER_OPTIONS = ['prefix', 'logLevel', 'logSerializers'];

const plugin: FastifyPluginAsync<FastifyIdempotencyOptions> = async (fastify, registered) => {
  const { global = true, ...options } = stripRegisterOptions(registered);
  if (typeof global !== 'boolean') throw new ConfigurationError('`global` must be a boolean');
  const base = createProtection(options);
  // Routes with their own options get their own manager, built once per route.
  const perRoute = new WeakMap<object, Protection>();
  const states = new WeakMap<FastifyRequest, RequestState>();

  const protectionFor = (request: FastifyRequest): Protection | undefined => {
    const config = request.routeOptions.config as { idempotency?: RouteIdempotencyConfig } | undefined;
    const setting = config?.idempotency;
    if (setting === false) return undefined;
    if (setting === undefined) return global ? base : undefined;
    if (setting === true) return base;
    let protection = perRoute.get(config!);
    if (!protection) perRoute.set(config!, (protection = createProtection({ ...options, ...setting })));
    return protection;
  };

  // Declared up front (null, set per request in onRequest) so every request object keeps one shape.
  fastify.decorateRequest('idempotency', null as unknown as IdempotencyOutcome);

  // A route's own options are checked when the route is declared, not on its first request.
  fastify.addHook('onRoute', (route) => {
    const setting = route.config?.idempotency;
    if (setting !== undefined && typeof setting !== 'boolean') createProtection({ ...options, ...setting });
  });

  fastify.addHook('onRequest', (request, _reply, done) => {
    request.idempotency = initialOutcome();
    done();
  });

  fastify.addHook('preParsing', async (request, reply, payload) => {
    const protection = protectionFor(request);
    if (!protection) return payload;
    const state: RequestState = { protection };
    states.set(request, state);
    return teeRequestBody(payload, reply.raw, protection.maxBodyBytes, (body) => {
      state.rawBody = body;
    });
  });

  fastify.addHook('preHandler', async (request, reply) => {
    const protection = protectionFor(request);
    if (!protection) {
      transactions.set(request, base.manager.passTransaction);
      return;
    }
    const state = states.get(request) ?? { protection };
    states.set(request, state);
    if (state.rawBody?.kind === 'too-large') protection.markTooLarge(request);
    const decision = await protection.manager.handle(toIdempotencyRequest(request, state.rawBody, protection.keyHeader), request);
    // Core's outcome object: it updates `stored` once the record is written.
    request.idempotency = decision.outcome;
    if (decision.action === 'pass') {
      transactions.set(request, protection.manager.passTransaction);
      return;
    }
    if (decision.action === 'respond') {
      const { status, headers, body } = decision.response;
      return reply
        .code(status)
        .headers(headers)
        .send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    }
    const { execution } = decision;
    transactions.set(request, execution.transaction);
    state.execution = execution;
    state.guard = guardAbandonedExecution(execution, protection.lockTtl);
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) state.guard?.clientGone();
    });
  });

  fastify.addHook('onError', async (request) => {
    const state = states.get(request);
    if (state) state.failed = true;
  });

  fastify.addHook('onSend', async (request, reply, payload) => {
    const state = states.get(request);
    const execution = state?.execution;
    if (!state || !execution) return payload;
    state.execution = undefined; // an error reply sent after this one must not be recorded again
    state.guard?.settle();
    // The handler threw: this is the error handler's reply, never recorded; a retry runs again.
    if (state.failed) {
      await execution.abort();
      return payload;
    }
    let captured;
    try {
      captured = await capturePayload(payload, state.protection.maxResponseBytes);
    } catch (error) {
      await execution.abort();
      throw error;
    }
    const finished = await execution.finish({ status: reply.statusCode, headers: replyHeaders(reply), body: captured.bytes });
    // The handler's transaction was rolled back (lease lost, database failure): its answer is not sent.
    if (finished.response) return replaceReply(reply, finished.response, captured.payload);
    return captured.payload;
  });
};

function toIdempotencyRequest(request: FastifyRequest, rawBody: RawBody | undefined, keyHeader: string): IdempotencyRequest {
  const bytes = rawBody?.kind === 'raw' ? rawBody.bytes : request.body === undefined ? Buffer.alloc(0) : undefined;
  return {
    method: request.method,
    url: request.url,
    headers: nodeRequestHeaders(request.raw, keyHeader),
    ...(bytes !== undefined ? { body: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) } : { parsedBody: request.body }),
    raw: request,
  };
}

/** Swaps the handler's status, headers and payload for core's answer (still in onSend: nothing was sent yet). */
function replaceReply(reply: FastifyReply, response: HttpResponse, dropped: unknown): Buffer {
  if (dropped instanceof Readable) dropped.destroy();
  for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name);
  reply.code(response.status).headers(response.headers);
  return Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength);
}

function replyHeaders(reply: FastifyReply): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return headers;
}

function stripRegisterOptions(options: FastifyIdempotencyOptions): FastifyIdempotencyOptions {
  const copy = { ...options } as Record<string, unknown>;
  for (const name of REGISTER_OPTIONS) delete copy[name];
  return copy as unknown as FastifyIdempotencyOptions;
}

/** `app.register(idempotency, { store, ... })`: wrapped with fastify-plugin so its hooks cover the app. */
export const idempotency = fp(plugin, { fastify: '5.x', name: '@idem/fastify' });
