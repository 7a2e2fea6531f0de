/**
 * The HTTP transaction suite: a handler that writes a `ledger` row through the request's transaction
 * (`idempotencyTransaction(...)` of each middleware), over real sockets, on a store whose database the
 * ledger lives in. The ledger has no unique constraint, so a duplicate effect shows as a second row.
 * Checks that the writes and the record commit together before the answer is sent, that a handler that
 * fails or lost its lease leaves no row behind, and that the answer which replaces a rolled-back
 * handler's (409 LEASE_LOST, 503) is the one the client receives.
 *
 * The adapter mounts the middleware as for `httpScenarioSuite`, and passes the request's transaction
 * to `setup.handle` as `request.transaction`.
 */
import assert from 'node:assert/strict';
import type { IdempotencyOptions, TransactionalStore } from '@idem/core';
import { newKey, sendRequest, type ClientResponse } from './http-client';
import type { ScenarioHandler } from './http-handler';
import type { ScenarioServer } from './http-server';
import { frozenRenewals } from './http-stores';
import { assertProblem, waitFor } from './http-assert';
import type { ScenarioSetup } from './http-suite';
import type { TestApi } from './test-api';

/** The application table the handler writes, on the store's database. */
export interface TransactionLedger {
  /** Inserts one row for `entry` through `tx`, the driver's object `transaction(work)` hands over. */
  write(tx: unknown, entry: string): Promise<void>;
  /**
   * Runs a statement that fails and swallows its error, leaving the transaction unable to commit (on
   * PostgreSQL an aborted transaction): the database failing under a handler that carried on. Leave it
   * out for a database where a failed statement does not doom its transaction (SQLite, MySQL): the
   * scenario that needs it is then not registered.
   */
  poison?(tx: unknown): Promise<void>;
  /** Committed rows for `entry`, read outside any transaction. */
  rows(entry: string): Promise<number>;
}

export interface HttpTransactionSuiteOptions {
  /** Starts an app with the middleware (`setup.options`) in front of `setup.handle`, passing `request.transaction`. */
  createServer(setup: ScenarioSetup): Promise<ScenarioServer>;
  /** A fresh transactional store per scenario group, on the ledger's database. */
  createStore(): TransactionalStore | Promise<TransactionalStore>;
  ledger: TransactionLedger;
  /**
   * The database has one writer and the store holds its other calls back while a transaction is open
   * (SQLite): a takeover then waits for the stalled owner, whose result stands, instead of beating it.
   */
  singleWriter?: boolean;
}

/**
 * The handler: writes the row named by `x-ledger-entry` in the request's transaction, then follows the
 * `x-scenario-*` headers (`delay`, `status`, `throw`) and `x-ledger-poison: 1`.
 */
function ledgerHandler(ledger: TransactionLedger): { handle: ScenarioHandler; runs: () => number } {
  let runs = 0;
  const handle: ScenarioHandler = async (request) => {
    const run = ++runs;
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const transaction = request.transaction;
    if (!transaction) throw new Error('the adapter passed no request.transaction to the scenario handler');
    const entry = header('x-ledger-entry') ?? 'unnamed';
    await transaction((tx) => ledger.write(tx, entry));
    if (header('x-ledger-poison') === '1') await transaction((tx) => ledger.poison!(tx));
    const delay = Number(header('x-scenario-delay') ?? 0);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (header('x-scenario-throw') === '1') throw new Error('scenario handler failure (x-scenario-throw)');
    const body = new TextEncoder().encode(JSON.stringify({ run, entry }));
    return {
      status: Number(header('x-scenario-status') ?? 201),
      headers: {
        'x-run': String(run),
        'x-custom': 'handler',
        'set-cookie': ['booked=1'],
        'content-type': 'application/json; charset=utf-8',
      },
      body,
    };
  };
  return { handle, runs: () => runs };
}

interface Group {
  runs(): number;
  leaseLost: string[];
  /** A POST with a key (or none: `undefined`) writing the ledger row `entry`. */
  post(key: string | undefined, entry: string, headers?: Record<string, string>): Promise<ClientResponse>;
}

/** The answer replacing a rolled-back handler's: core's problem, none of the handler's headers. */
function assertReplaced(response: ClientResponse, status: number, code: string): void {
  assertProblem(response, status, code);
  assert.equal(response.headers['x-run'], undefined, 'the handler’s own headers must not reach the client');
  assert.equal(response.headers['x-custom'], undefined);
  assert.equal(response.headers['set-cookie'], undefined);
}

/**
 * The lease-lost setup: a request whose handler stalls 1800 ms, started once it runs, has its 500 ms
 * lease lapse (no renewals); then the same key is sent again. The stalled answer is still pending.
 */
async function stallPastLease(
  g: Group,
  key: string,
  entry: string,
): Promise<{ before: number; stalled: Promise<ClientResponse>; takeover: ClientResponse }> {
  const before = g.runs();
  const stalled = g.post(key, entry, { 'x-scenario-delay': '1800' });
  await waitFor(() => g.runs() - before === 1);
  await new Promise((resolve) => setTimeout(resolve, 800));
  const takeover = await g.post(key, entry);
  return { before, stalled, takeover };
}

/** After a first attempt that failed: no row was left, and the retry runs the handler afresh and writes one. */
async function assertRetryWritesOnce(g: Group, ledger: TransactionLedger, key: string, entry: string): Promise<void> {
  assert.equal(await ledger.rows(entry), 0);
  const retry = await g.post(key, entry);
  assert.equal(retry.status, 201);
  assert.equal(retry.headers['idempotent-replayed'], undefined);
  assert.equal(await ledger.rows(entry), 1);
}

export function httpTransactionSuite(test: TestApi, name: string, suite: HttpTransactionSuiteOptions): void {
  const { describe, it } = test;
  const { ledger } = suite;

  const group = (
    title: string,
    options: Omit<IdempotencyOptions, 'store'>,
    wrap: (store: TransactionalStore) => TransactionalStore,
    body: (g: Group) => void,
  ) =>
    describe(title, () => {
      const handler = ledgerHandler(ledger);
      let server: ScenarioServer | undefined;
      let store: TransactionalStore | undefined;
      let url = '';
      const g: Group = {
        runs: handler.runs,
        leaseLost: [],
        post: (key, entry, headers = {}) =>
          sendRequest(url, {
            headers: { ...(key === undefined ? {} : { 'idempotency-key': key }), 'x-ledger-entry': entry, ...headers },
            body: '{}',
          }),
      };
      test.beforeAll(async () => {
        store = await suite.createStore();
        const resolved: IdempotencyOptions = { ...options, store: wrap(store), onLeaseLost: (key) => void g.leaseLost.push(key) };
        server = await suite.createServer({ options: resolved, handle: handler.handle, group: title, observe: () => undefined });
        url = server.url;
      });
      test.afterAll(async () => {
        await server?.close();
        await store?.close();
      });
      body(g);
    });

  describe(`HTTP transactions: ${name}`, () => {
    group(
      'transactions',
      {},
      (store) => store,
      (g) => {
        it('commits the handler’s ledger row with the record; the retry replays without writing', async () => {
          const key = newKey();
          const entry = newKey();
          const before = g.runs();
          const first = await g.post(key, entry);
          assert.equal(first.status, 201);
          assert.equal(await ledger.rows(entry), 1, 'the row is committed before the answer is sent');
          const retry = await g.post(key, entry);
          assert.equal(retry.status, 201);
          assert.equal(retry.headers['idempotent-replayed'], 'true');
          assert.ok(retry.body.equals(first.body));
          assert.equal(g.runs() - before, 1);
          assert.equal(await ledger.rows(entry), 1);
        });

        it('20 concurrent duplicates write exactly one ledger row', async () => {
          const key = newKey();
          const entry = newKey();
          const answers = await Promise.all(Array.from({ length: 20 }, () => g.post(key, entry, { 'x-scenario-delay': '100' })));
          const statuses = answers.map((answer) => answer.status);
          assert.ok(
            statuses.every((status) => status === 201 || status === 409),
            `unexpected statuses ${statuses.join(',')}`,
          );
          assert.equal(answers.filter((answer) => answer.status === 201 && answer.headers['idempotent-replayed'] === undefined).length, 1);
          assert.equal(await ledger.rows(entry), 1);
        });

        it('a handler that throws after writing leaves no row and releases the key: the retry writes once', async () => {
          const key = newKey();
          const entry = newKey();
          const failed = await g.post(key, entry, { 'x-scenario-throw': '1' });
          assert.ok(failed.status >= 500, `expected a 5xx, got ${failed.status}`);
          await assertRetryWritesOnce(g, ledger, key, entry);
        });

        it('a 5xx answer (not stored) rolls the row back and releases the key', async () => {
          const key = newKey();
          const entry = newKey();
          const failed = await g.post(key, entry, { 'x-scenario-status': '503' });
          assert.equal(failed.status, 503);
          assert.equal(failed.headers['x-custom'], 'handler', 'the handler’s own 5xx goes out as it is');
          await assertRetryWritesOnce(g, ledger, key, entry);
        });

        if (ledger.poison)
          it('a database failure before COMMIT answers 503 instead of the handler’s 201, with no row; the retry runs again', async () => {
            const key = newKey();
            const entry = newKey();
            const failed = await g.post(key, entry, { 'x-ledger-poison': '1' });
            assertReplaced(failed, 503, 'STORAGE_ERROR');
            assert.ok(Number(failed.headers['retry-after']) >= 1);
            await assertRetryWritesOnce(g, ledger, key, entry);
          });

        it('a request without a key still gets a transaction, committed when its work resolves', async () => {
          const entry = newKey();
          const response = await g.post(undefined, entry);
          assert.equal(response.status, 201);
          assert.equal(await ledger.rows(entry), 1);
        });
      },
    );

    // Renewals every 100 ms on the store's own connections, while the handler's transaction stays open.
    group(
      'renewing',
      { lockTtl: 300 },
      (store) => store,
      (g) => {
        it('renewals never wait on the open transaction nor it on them: a handler 4 leases long commits once', async () => {
          const key = newKey();
          const entry = newKey();
          const response = await g.post(key, entry, { 'x-scenario-delay': '1200' });
          assert.equal(response.status, 201);
          assert.equal(await ledger.rows(entry), 1);
          assert.deepEqual(g.leaseLost, []);
          assert.equal((await g.post(key, entry)).headers['idempotent-replayed'], 'true');
        });
      },
    );

    // No renewals: a lease lapses 500 ms after it was taken, as if its owner had frozen.
    group('lease lost', { lockTtl: 500 }, frozenRenewals, (g) => {
      if (suite.singleWriter) {
        it('one writer: a takeover waits for the stalled owner’s open transaction, whose result stands and is replayed', async () => {
          const key = newKey();
          const entry = newKey();
          const { before, stalled, takeover } = await stallPastLease(g, key, entry);
          const first = await stalled;
          assert.equal(first.status, 201);
          assert.equal(takeover.status, 201);
          assert.equal(takeover.headers['idempotent-replayed'], 'true');
          assert.equal(takeover.headers['x-run'], first.headers['x-run']);
          assert.equal(await ledger.rows(entry), 1);
          assert.deepEqual(g.leaseLost, []);
          assert.equal(g.runs() - before, 1);
        }, 20_000);
        return;
      }
      it('an owner that lost its lease commits nothing and its client gets 409 LEASE_LOST; the new owner’s row stands', async () => {
        const key = newKey();
        const entry = newKey();
        const { before, stalled, takeover } = await stallPastLease(g, key, entry);
        assert.equal(takeover.status, 201, `the takeover ran: ${takeover.body.toString().slice(0, 200)}`);
        assert.equal(await ledger.rows(entry), 1);
        assertReplaced(await stalled, 409, 'LEASE_LOST');
        assert.equal(await ledger.rows(entry), 1, 'the stalled owner’s row was rolled back');
        assert.equal(g.leaseLost.length, 1);
        const retry = await g.post(key, entry);
        assert.equal(retry.headers['idempotent-replayed'], 'true');
        assert.equal(retry.headers['x-run'], takeover.headers['x-run']);
        assert.equal(g.runs() - before, 2);
      }, 20_000);
    });
  });
}
