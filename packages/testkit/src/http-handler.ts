/**
 * The framework-neutral scenario handler every adapter mounts on every path. It counts its own
 * executions and takes its behaviour from request headers, so the suite drives it over the wire:
 *
 * - `x-scenario-delay: <ms>`   wait before answering (keeps a request in progress)
 * - `x-scenario-status: <n>`   answer with this status (default 201)
 * - `x-scenario-throw: 1`      reject with an Error: the adapter routes it to the framework's own error path
 * - `x-scenario-throw: sync`   throw an Error synchronously, before any promise exists
 * - `x-scenario-throw: value`  reject with a value that is not an Error (a string)
 * - `x-scenario-error-handler: throw`  the adapter's own error handler (Express error middleware,
 *                              Fastify `setErrorHandler`, Hono `app.onError`, ...) throws in turn
 * - `x-scenario-hang: 1`       never answer (the promise never settles)
 * - `x-scenario-echo: 1`       answer with the request body bytes (application/octet-stream)
 * - `x-scenario-size: <n>`     answer with n random bytes
 * - `x-scenario-date: 1`       also set a fixed `Date` and a `Keep-Alive` header (never replayed)
 */
import { randomBytes } from 'node:crypto';
import type { TransactionRunner } from '@idem/core';

export interface ScenarioRequest {
  method: string;
  /** Path and query string. */
  url: string;
  /** Lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /** The raw body bytes (empty when there is none). */
  body: Uint8Array;
  /** The request's transaction as the middleware exposes it (its `idempotencyTransaction(...)`): the transaction suite needs it. */
  transaction?: TransactionRunner;
}

export interface ScenarioResponse {
  status: number;
  /** Lower-case names; `set-cookie` may be an array. */
  headers: Record<string, string | string[]>;
  body: Uint8Array;
}

/** Resolves the response to send, or rejects: the adapter must hand the error to its framework. */
export type ScenarioHandler = (request: ScenarioRequest) => Promise<ScenarioResponse>;

export const FIXED_DATE = 'Sat, 01 Jan 2000 00:00:00 GMT';

export class ScenarioFailure extends Error {
  constructor() {
    super('scenario handler failure (x-scenario-throw)');
  }
}

/** What a handler throws for `x-scenario-throw: value`: not an Error, so no `instanceof Error` check catches it. */
export const NON_ERROR_THROWN = 'scenario handler failure (a thrown string)';

/** Reads a scenario header from any adapter's header map (node's, or a plain record of a Web request's). */
export function scenarioHeader(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function createScenarioHandler(): { handle: ScenarioHandler; runs: () => number } {
  let runs = 0;
  const handle: ScenarioHandler = (request) => {
    const run = ++runs;
    const header = (name: string) => scenarioHeader(request.headers, name);
    if (header('x-scenario-throw') === 'sync') throw new ScenarioFailure();
    if (header('x-scenario-hang') === '1') return new Promise<never>(() => undefined);
    return answer(request, run, header);
  };
  return { handle, runs: () => runs };
}

async function answer(request: ScenarioRequest, run: number, header: (name: string) => string | undefined): Promise<ScenarioResponse> {
  const delay = Number(header('x-scenario-delay') ?? 0);
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  const thrown = header('x-scenario-throw');
  if (thrown === '1') throw new ScenarioFailure();
  if (thrown === 'value') throw NON_ERROR_THROWN;
  const headers: Record<string, string | string[]> = {
    'x-run': String(run),
    'x-custom': 'kept',
    'cache-control': 'no-store',
    'set-cookie': ['session=s3cret; HttpOnly', 'theme=dark'],
  };
  if (header('x-scenario-date') === '1') {
    headers.date = FIXED_DATE;
    headers['keep-alive'] = 'timeout=61';
  }
  let body: Uint8Array;
  if (header('x-scenario-echo') === '1') {
    body = request.body;
    headers['content-type'] = 'application/octet-stream';
  } else if (header('x-scenario-size') !== undefined) {
    body = randomBytes(Number(header('x-scenario-size')));
    headers['content-type'] = 'application/octet-stream';
  } else {
    const summary = { id: `ch_${run}`, run, method: request.method, url: request.url, bytes: request.body.length };
    body = new TextEncoder().encode(JSON.stringify(summary));
    headers['content-type'] = 'application/json; charset=utf-8';
  }
  return { status: Number(header('x-scenario-status') ?? 201), headers, body };
}
