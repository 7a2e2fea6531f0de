/**
 * The HTTP scenario suite: every row of idem's HTTP semantics, over real sockets, against any
 * middleware. An adapter's test file hands over its runner's functions, a store factory and a
 * `createServer(setup)` that mounts the middleware with `setup.options` and `setup.handle` on every path.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IdempotencyError, IdempotencyOptions, IdempotencyOutcome, IdempotencyStore } from '@idem/core';
import { newKey, sendRequest, type ClientRequest, type ClientResponse } from './http-client';
import { createScenarioHandler, FIXED_DATE, scenarioHeader, type ScenarioHandler } from './http-handler';
import { readRequestHeader, type ScenarioServer } from './http-server';
import { corruptRecordScenarios } from './http-corrupt-records';
import { hookKeyScenarios } from './http-hook-keys';
import { failingStore, keyRecordingStore } from './http-stores';
import { notApplicableSkipper, type ScenarioIt } from './not-applicable';
import { assertProblem, waitFor } from './http-assert';
import { registerExitPathScenarios } from './http-exit-paths';
import { registerConsistencyScenarios } from './http-consistency';
import type { TestApi } from './test-api';

export type { ScenarioHandler, ScenarioRequest, ScenarioResponse } from './http-handler';
export { listen, readRequestHeader, type ScenarioServer } from './http-server';

export interface ScenarioSetup {
  /** The idem options of this scenario group (`store` and whatever the group sets): pass them as they are. */
  options: IdempotencyOptions;
  /**
   * Mount on every path and method. Resolves the response to send (status, headers, exact body bytes);
   * rejects when the scenario wants the handler to fail: hand the error to the framework's own error path.
   */
  handle: ScenarioHandler;
  /** The scenario group's title (`defaults`, `requireKey`, ...): an app outside this process builds the group's options from it. */
  group: string;
  /**
   * Call once per request, when its answer is out (a `finish` listener, Fastify's `onResponse`, after
   * `await next()`, ...), with the request headers and the outcome the framework's accessor gives
   * (`idempotencyOutcome(res)`, `request.idempotency`, `ctx.state.idempotency`, `c.get('idempotency')`).
   */
  observe(headers: Record<string, string | string[] | undefined>, outcome: IdempotencyOutcome | undefined): void;
}

export interface HttpSuiteOptions {
  /** Starts an app with the middleware (`setup.options`) in front of `setup.handle`. */
  createServer(setup: ScenarioSetup): Promise<ScenarioServer>;
  /** A fresh, empty store per scenario group. */
  createStore(): IdempotencyStore | Promise<IdempotencyStore>;
  /** Reads a request header from the framework's request object; the default knows the common shapes. */
  readHeader?(raw: unknown, name: string): string | undefined;
  /**
   * Scenarios that cannot apply here (a runtime with no client-abort signal, say), by their exact name,
   * each with the reason: they are reported as skipped with it, never run. A name that matches no
   * scenario fails the suite, so a renamed scenario cannot slip out of the list.
   */
  notApplicable?: Record<string, string>;
}

export interface Group {
  url: string;
  runs(): number;
  send(request?: ClientRequest): Promise<ClientResponse>;
  /** A POST with an idempotency key and the given extra headers. */
  post(key: string, headers?: Record<string, string>, body?: Uint8Array | string): Promise<ClientResponse>;
  /** The outcome the adapter observed for the request sent with `x-scenario-id: id` (waits for it). */
  outcome(id: string): Promise<IdempotencyOutcome | undefined>;
}

export type GroupOptions = (store: IdempotencyStore) => Omit<IdempotencyOptions, 'store'> & { store?: IdempotencyStore };

type Event = [hook: string, detail: unknown];

/** Registers a scenario group: a describe block with its own server and store, built from `options(store)`. */
export type GroupFactory = (title: string, options: GroupOptions, body: (g: Group) => void) => void;

/** What a scenario file registers its groups and scenarios with. */
export interface SuiteContext {
  it: ScenarioIt;
  group: GroupFactory;
}

export function httpScenarioSuite(test: TestApi, name: string, suite: HttpSuiteOptions): void {
  const { describe } = test;
  const readHeader = suite.readHeader ?? readRequestHeader;
  const it = notApplicableSkipper(test, suite.notApplicable ?? {});

  /** A describe block with its own server, store and handler counter, built from `options(store)`. */
  const group: GroupFactory = (title, options, body) =>
    describe(title, () => {
      const handler = createScenarioHandler();
      let server: ScenarioServer | undefined;
      let store: IdempotencyStore | undefined;
      const observed = new Map<string, IdempotencyOutcome | undefined>();
      const observe = (headers: Record<string, string | string[] | undefined>, outcome: IdempotencyOutcome | undefined) => {
        const id = scenarioHeader(headers, 'x-scenario-id');
        // Copied field by field: an outcome that crossed a wire (JSON) has lost its `key: undefined`.
        if (id !== undefined)
          observed.set(
            id,
            outcome && { protected: outcome.protected, replayed: outcome.replayed, stored: outcome.stored, key: outcome.key },
          );
      };
      const g: Group = {
        url: '',
        runs: handler.runs,
        send: (request) => sendRequest(g.url, request),
        post: (key, headers = {}, requestBody) =>
          sendRequest(g.url, { headers: { 'idempotency-key': key, ...headers }, body: requestBody }),
        outcome: async (id) => {
          await waitFor(
            () => observed.has(id),
            2_000,
            `the adapter to observe the outcome of request ${id} (call setup.observe once its answer is out)`,
          );
          return observed.get(id);
        },
      };
      test.beforeAll(async () => {
        store = await suite.createStore();
        const resolved = { store, ...options(store) } as IdempotencyOptions;
        server = await suite.createServer({ options: resolved, handle: handler.handle, group: title, observe });
        g.url = server.url;
      });
      test.afterAll(async () => {
        await server?.close();
        await store?.close();
      });
      body(g);
    });

  describe(`HTTP scenarios: ${name}`, () => {
    group(
      'defaults',
      () => ({}),
      (g) => {
        it('passes a GET through, even with a key', async () => {
          const key = newKey();
          const before = g.runs();
          const first = await g.send({ method: 'GET', headers: { 'idempotency-key': key } });
          const second = await g.send({ method: 'GET', headers: { 'idempotency-key': key } });
          assert.equal(g.runs() - before, 2);
          assert.notEqual(first.headers['x-run'], second.headers['x-run']);
          assert.equal(second.headers['idempotent-replayed'], undefined);
        });

        it('passes a POST without a key through', async () => {
          const before = g.runs();
          await g.send({ body: '{}' });
          const second = await g.send({ body: '{}' });
          assert.equal(g.runs() - before, 2);
          assert.equal(second.headers['idempotent-replayed'], undefined);
        });

        it('replays the first response byte for byte, status and headers kept, handler run once', async () => {
          const key = newKey();
          const before = g.runs();
          const first = await g.post(key, { 'x-scenario-status': '202', 'content-type': 'application/json' }, '{"amount":100}');
          const retry = await g.post(key, { 'x-scenario-status': '202', 'content-type': 'application/json' }, '{"amount":100}');
          assert.equal(g.runs() - before, 1);
          assert.equal(first.status, 202);
          assert.equal(first.headers['idempotent-replayed'], undefined);
          assert.equal(retry.status, 202);
          assert.equal(retry.headers['idempotent-replayed'], 'true');
          assert.ok(retry.body.equals(first.body));
          assert.equal(retry.headers['x-run'], first.headers['x-run']);
          assert.equal(retry.headers['x-custom'], 'kept');
          assert.equal(retry.headers['cache-control'], 'no-store');
          assert.equal(retry.headers['content-type'], first.headers['content-type']);
        });

        it('runs the handler when the client itself sends Idempotent-Replayed', async () => {
          const before = g.runs();
          const response = await g.post(newKey(), { 'idempotent-replayed': 'true' }, '{}');
          assert.equal(g.runs() - before, 1);
          assert.equal(response.status, 201);
          assert.equal(response.headers['idempotent-replayed'], undefined);
        });

        it('accepts the quoted sf-string form and unquotes it', async () => {
          const key = newKey();
          const before = g.runs();
          const first = await g.post(`"${key}"`, {}, '{}');
          const retry = await g.post(key, {}, '{}');
          assert.equal(first.status, 201);
          assert.equal(retry.headers['idempotent-replayed'], 'true');
          assert.equal(g.runs() - before, 1);
        });

        it('accepts a key of 255 characters', async () => {
          const response = await g.post('k'.repeat(255), {}, '{}');
          assert.equal(response.status, 201);
        });

        const invalidKeys: Array<[string, string | string[]]> = [
          ['an empty key', ''],
          ['a key of 256 characters', 'k'.repeat(256)],
          ['a key with a control character', 'abc\tdef'],
          ['a key sent twice', ['first-key', 'second-key']],
          ['an unterminated quoted key', '"abc'],
        ];
        for (const [label, value] of invalidKeys) {
          it(`answers 400 problem+json to ${label}, handler not run`, async () => {
            const before = g.runs();
            const response = await g.send({ headers: { 'idempotency-key': value }, body: '{}' });
            assertProblem(response, 400, 'INVALID_KEY');
            assert.equal(g.runs() - before, 0);
          });
        }

        it('answers 422 to the same key with another body', async () => {
          const key = newKey();
          await g.post(key, {}, '{"amount":100}');
          const before = g.runs();
          const other = await g.post(key, {}, '{"amount":999}');
          assertProblem(other, 422, 'REQUEST_MISMATCH');
          assert.equal(g.runs() - before, 0);
        });

        it('answers 422 to the same key on another path', async () => {
          const key = newKey();
          await g.post(key, {}, '{}');
          const other = await g.send({ path: '/refunds', headers: { 'idempotency-key': key }, body: '{}' });
          assertProblem(other, 422, 'REQUEST_MISMATCH');
        });

        it('answers 409 with Retry-After while the first request runs', async () => {
          const key = newKey();
          const before = g.runs();
          const first = g.post(key, { 'x-scenario-delay': '400' }, '{}');
          await waitFor(() => g.runs() - before === 1);
          const duplicate = await g.post(key, { 'x-scenario-delay': '400' }, '{}');
          assertProblem(duplicate, 409, 'REQUEST_IN_PROGRESS');
          assert.ok(Number(duplicate.headers['retry-after']) >= 1);
          assert.equal((await first).status, 201);
          assert.equal(g.runs() - before, 1);
        });

        it('stores nothing when the handler throws: a retry runs again', async () => {
          const key = newKey();
          const before = g.runs();
          const failed = await g.post(key, { 'x-scenario-throw': '1' }, '{}');
          assert.ok(failed.status >= 500, `expected a 5xx, got ${failed.status}`);
          assert.equal(failed.headers['idempotent-replayed'], undefined);
          const retry = await g.post(key, {}, '{}');
          assert.equal(retry.status, 201);
          assert.equal(retry.headers['idempotent-replayed'], undefined);
          assert.equal(g.runs() - before, 2);
          const replay = await g.post(key, {}, '{}');
          assert.equal(replay.headers['idempotent-replayed'], 'true');
        });

        it('does not store a 5xx answer: a retry runs again', async () => {
          const key = newKey();
          const before = g.runs();
          const failed = await g.post(key, { 'x-scenario-status': '502' }, '{}');
          assert.equal(failed.status, 502);
          const retry = await g.post(key, { 'x-scenario-status': '502' }, '{}');
          assert.equal(retry.status, 502);
          assert.equal(retry.headers['idempotent-replayed'], undefined);
          assert.equal(g.runs() - before, 2);
        });

        it('stores and replays a 4xx answer', async () => {
          const key = newKey();
          await g.post(key, { 'x-scenario-status': '400' }, '{}');
          const retry = await g.post(key, { 'x-scenario-status': '400' }, '{}');
          assert.equal(retry.status, 400);
          assert.equal(retry.headers['idempotent-replayed'], 'true');
        });

        it('replays a 1 MiB random binary body byte for byte', async () => {
          const key = newKey();
          const payload = randomBytes(1024 * 1024);
          const headers = { 'x-scenario-echo': '1', 'content-type': 'application/octet-stream' };
          const first = await g.post(key, headers, payload);
          const retry = await g.post(key, headers, payload);
          assert.equal(first.status, 201);
          assert.ok(first.body.equals(payload), 'the first answer carries the echoed bytes');
          assert.equal(retry.headers['idempotent-replayed'], 'true');
          assert.ok(retry.body.equals(payload), 'the replay is byte-identical');
        });

        it('drops Set-Cookie, Date and hop-by-hop headers from the replay', async () => {
          const key = newKey();
          const first = await g.post(key, { 'x-scenario-date': '1' }, '{}');
          assert.ok(first.headers['set-cookie']?.some((c) => c.startsWith('session=')));
          assert.equal(first.headers.date, FIXED_DATE);
          const retry = await g.post(key, { 'x-scenario-date': '1' }, '{}');
          assert.equal(retry.headers['idempotent-replayed'], 'true');
          assert.equal(retry.headers['set-cookie'], undefined);
          assert.notEqual(retry.headers.date, FIXED_DATE);
          assert.notEqual(retry.headers['keep-alive'], 'timeout=61');
          assert.equal(retry.headers['x-custom'], 'kept');
        });

        it('runs the handler once for 100 concurrent duplicates; every answer is the same 2xx or a 409', async () => {
          const key = newKey();
          const before = g.runs();
          const answers = await Promise.all(
            Array.from({ length: 100 }, () => g.post(key, { 'x-scenario-delay': '150' }, '{"amount":100}')),
          );
          assert.equal(g.runs() - before, 1);
          const successes = answers.filter((a) => a.status === 201);
          assert.ok(successes.length >= 1);
          for (const answer of answers) {
            if (answer.status === 201) assert.ok(answer.body.equals(successes[0]!.body));
            else assertProblem(answer, 409, 'REQUEST_IN_PROGRESS');
          }
          const retry = await g.post(key, {}, '{"amount":100}');
          assert.ok(retry.body.equals(successes[0]!.body));
        }, 30_000);
      },
    );

    group(
      'requireKey',
      () => ({ requireKey: true }),
      (g) => {
        it('answers 400 problem+json to a POST without a key, handler not run', async () => {
          const before = g.runs();
          const response = await g.send({ body: '{}' });
          assertProblem(response, 400, 'MISSING_KEY');
          assert.equal(g.runs() - before, 0);
        });
        it('still passes a GET without a key through', async () => {
          const response = await g.send({ method: 'GET' });
          assert.equal(response.status, 201);
        });
      },
    );

    group(
      'skip',
      () => ({ skip: (req: unknown) => readHeader(req, 'x-skip') === '1' }),
      (g) => {
        it('passes a skipped request through, even with a key', async () => {
          const key = newKey();
          const before = g.runs();
          await g.post(key, { 'x-skip': '1' }, '{}');
          const second = await g.post(key, { 'x-skip': '1' }, '{}');
          assert.equal(g.runs() - before, 2);
          assert.equal(second.headers['idempotent-replayed'], undefined);
        });
        it('protects requests skip returns false for', async () => {
          const key = newKey();
          await g.post(key, {}, '{}');
          const retry = await g.post(key, {}, '{}');
          assert.equal(retry.headers['idempotent-replayed'], 'true');
        });
      },
    );

    group(
      'validateKey',
      () => ({ validateKey: (key: string) => key.startsWith('ok-') || 'the key must start with ok-' }),
      (g) => {
        it('answers 400 with the reason when validateKey rejects', async () => {
          const response = await g.post('bad-key', {}, '{}');
          assertProblem(response, 400, 'INVALID_KEY');
          assert.match(String(response.json().detail), /must start with ok-/);
        });
        it('accepts a key validateKey approves', async () => {
          const response = await g.post(`ok-${newKey()}`, {}, '{}');
          assert.equal(response.status, 201);
        });
      },
    );

    group(
      'docsUrl',
      () => ({ docsUrl: 'https://docs.example.com/errors' }),
      (g) => {
        it("types a problem by its code's documentation and links it as describedby", async () => {
          const response = await g.post('k'.repeat(300), {}, '{}');
          assertProblem(response, 400, 'INVALID_KEY');
          assert.equal(response.json().type, 'https://docs.example.com/errors#invalid_key');
          assert.equal(response.headers['link'], '<https://docs.example.com/errors#invalid_key>; rel="describedby"');
        });
      },
    );

    group(
      "onConflict: 'wait'",
      () => ({ onConflict: 'wait', waitTimeout: 5_000 }),
      (g) => {
        it('makes a duplicate wait for the first request and replays its answer', async () => {
          const key = newKey();
          const before = g.runs();
          const first = g.post(key, { 'x-scenario-delay': '300' }, '{}');
          await waitFor(() => g.runs() - before === 1);
          const duplicate = await g.post(key, { 'x-scenario-delay': '300' }, '{}');
          const original = await first;
          assert.equal(duplicate.status, 201);
          assert.equal(duplicate.headers['idempotent-replayed'], 'true');
          assert.ok(duplicate.body.equals(original.body));
          assert.equal(g.runs() - before, 1);
        });
      },
    );

    group(
      'waitTimeout',
      () => ({ onConflict: 'wait', waitTimeout: 100 }),
      (g) => {
        it('answers 409 LOCK_TIMEOUT with Retry-After when the wait runs out', async () => {
          const key = newKey();
          const before = g.runs();
          const first = g.post(key, { 'x-scenario-delay': '1000' }, '{}');
          await waitFor(() => g.runs() - before === 1);
          const duplicate = await g.post(key, {}, '{}');
          assertProblem(duplicate, 409, 'LOCK_TIMEOUT');
          assert.ok(Number(duplicate.headers['retry-after']) >= 1);
          assert.equal((await first).status, 201);
          assert.equal(g.runs() - before, 1);
        });
      },
    );

    group(
      'shouldStore',
      () => ({ shouldStore: (response) => response.status === 201 }),
      (g) => {
        it('does not store what shouldStore refuses: a retry runs again', async () => {
          const key = newKey();
          const before = g.runs();
          await g.post(key, { 'x-scenario-status': '200' }, '{}');
          const retry = await g.post(key, { 'x-scenario-status': '200' }, '{}');
          assert.equal(retry.headers['idempotent-replayed'], undefined);
          assert.equal(g.runs() - before, 2);
        });
        it('stores what shouldStore accepts', async () => {
          const key = newKey();
          await g.post(key, {}, '{}');
          const retry = await g.post(key, {}, '{}');
          assert.equal(retry.headers['idempotent-replayed'], 'true');
        });
      },
    );

    corruptRecordScenarios(group, it);
    hookKeyScenarios(group, it, readHeader);

    group(
      'store failure',
      () => ({ store: failingStore() }),
      (g) => {
        it('answers 503 problem+json with Retry-After, handler not run', async () => {
          const before = g.runs();
          const response = await g.post(newKey(), {}, '{}');
          assertProblem(response, 503, 'STORAGE_ERROR');
          assert.ok(Number(response.headers['retry-after']) >= 1);
          assert.equal(g.runs() - before, 0);
        });
      },
    );

    const storeErrors: Event[] = [];
    group(
      'failOpen',
      () => ({
        store: failingStore(),
        failOpen: true,
        onStoreError: (error: IdempotencyError, context) => storeErrors.push([error.code, context]),
      }),
      (g) => {
        it('runs the handler unprotected and reports the failure through onStoreError', async () => {
          const key = newKey();
          const before = g.runs();
          const response = await g.post(key, {}, '{}');
          assert.equal(response.status, 201);
          assert.equal(response.headers['idempotent-replayed'], undefined);
          assert.equal(g.runs() - before, 1);
          assert.ok(
            storeErrors.some(([code, context]) => code === 'STORAGE_ERROR' && (context as { failOpen: boolean }).failOpen === true),
          );
        });
      },
    );

    group(
      'scope',
      () => ({ scope: (req: unknown) => readHeader(req, 'x-tenant') }),
      (g) => {
        it('keeps the same key of two tenants apart', async () => {
          const key = newKey();
          const before = g.runs();
          const a = await g.post(key, { 'x-tenant': 'tenant-a' }, '{}');
          const b = await g.post(key, { 'x-tenant': 'tenant-b' }, '{}');
          assert.equal(g.runs() - before, 2);
          assert.equal(b.headers['idempotent-replayed'], undefined);
          assert.ok(!a.body.equals(b.body));
          const retryA = await g.post(key, { 'x-tenant': 'tenant-a' }, '{}');
          assert.equal(retryA.headers['idempotent-replayed'], 'true');
          assert.ok(retryA.body.equals(a.body));
        });
      },
    );

    group(
      'keepResponseHeaders',
      () => ({ keepResponseHeaders: ['x-custom', 'set-cookie', 'content-type'] }),
      (g) => {
        it('replays only the allowlisted headers (Set-Cookie included when listed)', async () => {
          const key = newKey();
          await g.post(key, {}, '{}');
          const retry = await g.post(key, {}, '{}');
          assert.equal(retry.headers['idempotent-replayed'], 'true');
          assert.equal(retry.headers['x-custom'], 'kept');
          assert.equal(retry.headers['set-cookie']?.join(' | '), 'session=s3cret; HttpOnly | theme=dark');
          assert.equal(retry.headers['cache-control'], undefined);
          assert.equal(retry.headers['x-run'], undefined);
        });
      },
    );

    group(
      'maxResponseBytes',
      () => ({ maxResponseBytes: 4096 }),
      (g) => {
        it('gives the first client its large response, answers a retry 409 RESPONSE_NOT_STORED, runs once', async () => {
          const key = newKey();
          const before = g.runs();
          const first = await g.post(key, { 'x-scenario-size': '20000' }, '{}');
          assert.equal(first.status, 201);
          assert.equal(first.body.length, 20000);
          const retry = await g.post(key, { 'x-scenario-size': '20000' }, '{}');
          assertProblem(retry, 409, 'RESPONSE_NOT_STORED');
          assert.equal(g.runs() - before, 1);
          // A condition that never resolves: no Retry-After to wait for, and no replay of anything.
          assert.equal(retry.headers['retry-after'], undefined);
          assert.equal(retry.headers['idempotent-replayed'], undefined);
        });
        it('still replays responses under the limit', async () => {
          const key = newKey();
          await g.post(key, {}, '{}');
          const retry = await g.post(key, {}, '{}');
          assert.equal(retry.headers['idempotent-replayed'], 'true');
        });
      },
    );

    const hookEvents: Event[] = [];
    const record = (hook: string) => (key: string) => void hookEvents.push([hook, key]);
    group(
      'hooks',
      () => ({
        onCacheHit: record('onCacheHit'),
        onCacheMiss: record('onCacheMiss'),
        onMismatch: record('onMismatch'),
        onLockConflict: record('onLockConflict'),
      }),
      (g) => {
        const fired = (hook: string) => hookEvents.filter(([name]) => name === hook).length;
        it('fires onCacheMiss on a first request and onCacheHit on its replay', async () => {
          const key = newKey();
          await g.post(key, {}, '{}');
          assert.equal(fired('onCacheMiss'), 1);
          await g.post(key, {}, '{}');
          assert.equal(fired('onCacheHit'), 1);
          assert.equal(hookEvents.at(-1)?.[1], key, 'the hook gets the key the client sent');
        });
        it('fires onMismatch on a reused key', async () => {
          const key = newKey();
          await g.post(key, {}, '{"a":1}');
          await g.post(key, {}, '{"a":2}');
          assert.equal(fired('onMismatch'), 1);
        });
        it('fires onLockConflict on a duplicate in progress', async () => {
          const key = newKey();
          const before = g.runs();
          const first = g.post(key, { 'x-scenario-delay': '300' }, '{}');
          await waitFor(() => g.runs() - before === 1);
          await g.post(key, {}, '{}');
          await first;
          assert.equal(fired('onLockConflict'), 1);
        });
      },
    );

    group(
      'errorHandler',
      () => ({
        requireKey: true,
        errorHandler: (error: IdempotencyError) => ({
          status: error.status,
          headers: { 'content-type': 'text/plain; charset=utf-8', 'x-error-code': error.code },
          body: new TextEncoder().encode(`custom: ${error.code}`),
        }),
      }),
      (g) => {
        it('answers with the response errorHandler returns', async () => {
          const response = await g.send({ body: '{}' });
          assert.equal(response.status, 400);
          assert.equal(response.headers['x-error-code'], 'MISSING_KEY');
          assert.match(String(response.headers['content-type']), /^text\/plain/);
          assert.equal(response.body.toString(), 'custom: MISSING_KEY');
        });
      },
    );

    let recording: ReturnType<typeof keyRecordingStore> | undefined;
    group(
      'hashKeys',
      (store) => {
        recording = keyRecordingStore(store);
        return { store: recording, hashKeys: true };
      },
      (g) => {
        it('stores a SHA-256 of the key, never the key, and still replays', async () => {
          const key = newKey();
          await g.post(key, {}, '{}');
          const retry = await g.post(key, {}, '{}');
          assert.equal(retry.headers['idempotent-replayed'], 'true');
          assert.ok(recording && recording.keys.length >= 2);
          for (const stored of recording!.keys) {
            assert.match(stored, /^[0-9a-f]{64}$/);
            assert.ok(!stored.includes(key));
          }
        });
      },
    );

    group(
      'fingerprint: { json: true }',
      () => ({ fingerprint: { json: true } }),
      (g) => {
        it('treats JSON bodies that differ only in key order and whitespace as the same request', async () => {
          const key = newKey();
          const json = { 'content-type': 'application/json' };
          await g.post(key, json, '{"amount":100,"currency":"eur"}');
          const retry = await g.post(key, json, '{ "currency": "eur",\n  "amount": 100 }');
          assert.equal(retry.status, 201);
          assert.equal(retry.headers['idempotent-replayed'], 'true');
        });
        it('still answers 422 to a different value', async () => {
          const key = newKey();
          const json = { 'content-type': 'application/json' };
          await g.post(key, json, '{"amount":100}');
          const other = await g.post(key, json, '{"amount":101}');
          assertProblem(other, 422, 'REQUEST_MISMATCH');
        });
      },
    );
    registerExitPathScenarios({ it, group });
    registerConsistencyScenarios({ it, group });
  });
  it.assertAllMatched();
}
