/**
 * What every middleware must agree on: the key header is parsed one way (node:http and the Fetch API
 * alike), the app reads one outcome shape, `{ protected, replayed, stored, key }`, through its
 * framework's accessor, and a throwing or rejecting callback never changes an answer or leaks a key.
 */
import assert from 'node:assert/strict';
import type { CallbackError, IdempotencyError } from '@idem/core';
import { newKey } from './http-client';
import { assertProblem } from './http-assert';
import type { SuiteContext } from './http-suite';

let ids = 0;
const nextId = () => `req-${process.pid}-${++ids}`;

export function registerConsistencyScenarios({ it, group }: SuiteContext): void {
  group(
    'key header parsing',
    () => ({}),
    (g) => {
      it('answers 400 INVALID_KEY to a bare key holding a comma, handler not run (a key sent twice looks the same)', async () => {
        const before = g.runs();
        const response = await g.post(`${newKey()},part`, {}, '{}');
        assertProblem(response, 400, 'INVALID_KEY');
        assert.equal(g.runs() - before, 0);
      });
      it('accepts a quoted key holding a comma and replays it', async () => {
        const key = `${newKey()},part`;
        const first = await g.post(`"${key}"`, {}, '{}');
        assert.equal(first.status, 201);
        const retry = await g.post(`"${key}"`, {}, '{}');
        assert.equal(retry.headers['idempotent-replayed'], 'true');
      });
    },
  );

  group(
    'outcome',
    () => ({ requireKey: true }),
    (g) => {
      it('reports a MISSING_KEY answer as { protected: false, replayed: false, stored: false, key: undefined }', async () => {
        const id = nextId();
        const response = await g.send({ headers: { 'x-scenario-id': id }, body: '{}' });
        assertProblem(response, 400, 'MISSING_KEY');
        assert.deepEqual(await g.outcome(id), { protected: false, replayed: false, stored: false, key: undefined });
      });
      it('reports an INVALID_KEY answer as unprotected', async () => {
        const id = nextId();
        await g.post('k'.repeat(300), { 'x-scenario-id': id }, '{}');
        assert.deepEqual(await g.outcome(id), { protected: false, replayed: false, stored: false, key: undefined });
      });
      it('reports a first request as protected and stored, its replay as replayed, both with the key the client sent (unquoted)', async () => {
        const key = newKey();
        const first = nextId();
        const second = nextId();
        await g.post(`"${key}"`, { 'x-scenario-id': first }, '{}');
        assert.deepEqual(await g.outcome(first), { protected: true, replayed: false, stored: true, key });
        await g.post(key, { 'x-scenario-id': second }, '{}');
        assert.deepEqual(await g.outcome(second), { protected: true, replayed: true, stored: false, key });
      });
      it('reports a handler failure as protected, not stored', async () => {
        const key = newKey();
        const id = nextId();
        await g.post(key, { 'x-scenario-id': id, 'x-scenario-status': '503' }, '{}');
        assert.deepEqual(await g.outcome(id), { protected: true, replayed: false, stored: false, key });
      });
    },
  );

  const reported: CallbackError[] = [];
  const throwing = () => {
    throw new Error('hook bug');
  };
  const rejecting = () => Promise.reject(new Error('async hook bug'));
  group(
    'throwing callbacks',
    () => ({
      requireKey: true,
      onCacheHit: throwing,
      onCacheMiss: rejecting,
      onLockConflict: throwing,
      onMismatch: rejecting,
      errorHandler: (error: IdempotencyError) => {
        if (error.code === 'MISSING_KEY') throw new Error('errorHandler bug');
        return Promise.reject(new Error('async errorHandler bug'));
      },
      onCallbackError: (error: CallbackError) => void reported.push(error),
    }),
    (g) => {
      it('records and replays as usual when every hook throws or rejects, and reports each failure', async () => {
        const key = newKey();
        const before = g.runs();
        const first = await g.post(key, {}, '{}');
        assert.equal(first.status, 201);
        const retry = await g.post(key, {}, '{}');
        assert.equal(retry.status, 201);
        assert.equal(retry.headers['idempotent-replayed'], 'true');
        const mismatch = await g.post(key, {}, '{"other":1}');
        assertProblem(mismatch, 422, 'REQUEST_MISMATCH');
        assert.equal(g.runs() - before, 1);
        await new Promise((resolve) => setTimeout(resolve, 20));
        const names = new Set(reported.map((error) => error.callback));
        for (const name of ['onCacheMiss', 'onCacheHit', 'onMismatch', 'errorHandler'])
          assert.ok(names.has(name as CallbackError['callback']), `${name} was not reported`);
      });
      it('answers the default problem+json when errorHandler throws or rejects', async () => {
        assertProblem(await g.send({ body: '{}' }), 400, 'MISSING_KEY');
        assertProblem(await g.post('k'.repeat(300), {}, '{}'), 400, 'INVALID_KEY');
      });
    },
  );
}
