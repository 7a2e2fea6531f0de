/**
 * Every way a protected request can end, on every middleware: the key is either recorded or given
 * back, never left locked. A handler that returns is recorded; one that throws (an Error, synchronously
 * or not, or a value that is not an Error), rejects, or whose framework error handler throws in turn
 * releases the key at once; a client that leaves mid-body never reaches the handler; a client that
 * leaves mid-handler still gets its record if the handler finishes; a handler that never ends gives the
 * key back one lease period (`lockTtl`) after its client left.
 */
import assert from 'node:assert/strict';
import { leaveMidBody, leaveMidHandler, newKey, type ClientResponse } from './http-client';
import { assertProblem } from './http-assert';
import type { Group, SuiteContext } from './http-suite';

/** Short enough for a test to wait it out, long enough for a loaded machine to renew it. */
export const EXIT_PATHS_LOCK_TTL = 600;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The failing request's answer, or undefined when the framework hung up instead of answering. */
async function attempt(send: Promise<ClientResponse>): Promise<ClientResponse | undefined> {
  return send.catch(() => undefined);
}

/** A retry right after the failure runs the handler again and is recorded (the key was given back). */
async function assertKeyFree(g: Group, key: string): Promise<void> {
  const before = g.runs();
  const retry = await g.post(key, {}, '{}');
  assert.equal(retry.status, 201, `the key must be free again, got ${retry.status}: ${retry.body.toString().slice(0, 200)}`);
  assert.equal(retry.headers['idempotent-replayed'], undefined);
  assert.equal(g.runs() - before, 1);
  const replay = await g.post(key, {}, '{}');
  assert.equal(replay.headers['idempotent-replayed'], 'true');
}

export function registerExitPathScenarios({ it, group }: SuiteContext): void {
  group(
    'exit paths',
    () => ({ lockTtl: EXIT_PATHS_LOCK_TTL }),
    (g) => {
      const failures: Array<[label: string, headers: Record<string, string>]> = [
        ['throws an Error synchronously', { 'x-scenario-throw': 'sync' }],
        ['rejects with an Error', { 'x-scenario-throw': '1' }],
        ['throws a value that is not an Error', { 'x-scenario-throw': 'value' }],
        ["fails and the framework's own error handler throws too", { 'x-scenario-throw': '1', 'x-scenario-error-handler': 'throw' }],
      ];
      for (const [label, headers] of failures) {
        it(`gives the key back at once when the handler ${label}: nothing replayed, a retry runs`, async () => {
          const key = newKey();
          const before = g.runs();
          const failed = await attempt(g.post(key, headers, '{}'));
          assert.equal(g.runs() - before, 1);
          if (failed) {
            assert.ok(failed.status >= 500, `expected a 5xx (or a hang-up), got ${failed.status}`);
            assert.equal(failed.headers['idempotent-replayed'], undefined);
          }
          await assertKeyFree(g, key);
        });
      }

      it('never runs the handler for a client that leaves mid-body, and leaves the key free', async () => {
        const key = newKey();
        const before = g.runs();
        await leaveMidBody(g.url, { 'idempotency-key': key });
        await pause(100);
        assert.equal(g.runs() - before, 0, 'the handler ran for a body that never arrived');
        await assertKeyFree(g, key);
      });

      it('records the answer of a handler whose client left mid-handler: the retry replays it, the handler ran once', async () => {
        const key = newKey();
        const before = g.runs();
        await leaveMidHandler(
          g.url,
          { headers: { 'idempotency-key': key, 'x-scenario-delay': '200' }, body: '{}' },
          () => g.runs() - before === 1,
        );
        await pause(400);
        const retry = await g.post(key, {}, '{}');
        assert.equal(retry.status, 201);
        assert.equal(retry.headers['idempotent-replayed'], 'true');
        assert.equal(g.runs() - before, 1);
      });

      it('gives the key back one lease period after the client left a handler that never ends', async () => {
        const key = newKey();
        const before = g.runs();
        await leaveMidHandler(
          g.url,
          { headers: { 'idempotency-key': key, 'x-scenario-hang': '1' }, body: '{}' },
          () => g.runs() - before === 1,
        );
        const during = await g.post(key, {}, '{}');
        assertProblem(during, 409, 'REQUEST_IN_PROGRESS');
        await pause(EXIT_PATHS_LOCK_TTL + 400);
        await assertKeyFree(g, key);
        assert.equal(g.runs() - before, 2);
      }, 15_000);
    },
  );
}
