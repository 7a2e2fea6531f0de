import { MemoryStore } from '@idem/memory';
import { type HttpResponse, type IdempotencyOptions, type IdempotencyRequest, type IdempotencyStore } from '../src';
import { decodeResponse, Idempotency } from '../src/adapter';

const text = (body: Uint8Array) => Buffer.from(body).toString();
const request = (key: string | undefined, body = '{"amount":5}', extra: Partial<IdempotencyRequest> = {}): IdempotencyRequest => ({
  method: 'POST',
  url: '/payments',
  headers: key === undefined ? {} : { 'idempotency-key': key },
  body: new TextEncoder().encode(body),
  ...extra,
});
const ok = (body = 'charged'): HttpResponse => ({
  status: 201,
  headers: { 'content-type': 'text/plain', date: 'x', 'set-cookie': 's=1' },
  body: new TextEncoder().encode(body),
});

let store: MemoryStore;
const manager = (options: Partial<IdempotencyOptions> = {}) => new Idempotency({ store, ...options });
beforeEach(() => {
  store = new MemoryStore();
});
afterEach(() => store.close());

async function execute(idem: Idempotency, req: IdempotencyRequest, response = ok()) {
  const decision = await idem.handle(req);
  if (decision.action !== 'execute') throw new Error(`expected execute, got ${decision.action}`);
  return decision.execution.finish(response);
}

describe('Idempotency.handle', () => {
  it('passes through methods that are not protected, skipped requests and requests without key', async () => {
    const idem = manager({ skip: (req) => (req as IdempotencyRequest).url === '/health' });
    const pass = { action: 'pass', outcome: { protected: false, replayed: false, stored: false, key: undefined } };
    expect(await idem.handle(request('k', '', { method: 'GET' }))).toEqual(pass);
    expect(await idem.handle(request('k', '', { url: '/health' }))).toEqual(pass);
    expect(await idem.handle(request(undefined))).toEqual(pass);
  });

  it('answers 400 problem+json without a key when requireKey is on', async () => {
    const decision = await manager({ requireKey: true }).handle(request(undefined));
    expect(decision.action).toBe('respond');
    if (decision.action !== 'respond') return;
    expect(decision.response.status).toBe(400);
    expect(decision.response.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(text(decision.response.body))).toMatchObject({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      code: 'MISSING_KEY',
    });
  });

  it('executes the first request, then replays it with filtered headers and Idempotent-Replayed', async () => {
    const idem = manager();
    expect(await execute(idem, request('k1'))).toEqual({ stored: true });
    const replay = await idem.handle(request('k1'));
    expect(replay.action).toBe('respond');
    if (replay.action !== 'respond') return;
    expect(replay.outcome.replayed).toBe(true);
    expect(replay.response.status).toBe(201);
    expect(text(replay.response.body)).toBe('charged');
    expect(replay.response.headers).toEqual({ 'content-type': 'text/plain', 'idempotent-replayed': 'true' });
  });

  it('keeps the response headers a keepResponseHeaders predicate accepts, never hop-by-hop ones', async () => {
    const idem = manager({ keepResponseHeaders: (name) => name !== 'x-internal' });
    const response: HttpResponse = {
      status: 200,
      headers: { 'x-internal': 'secret', 'x-public': 'yes', 'set-cookie': 's=1', connection: 'close', date: 'now' },
      body: new Uint8Array(),
    };
    await execute(idem, request('k-headers'), response);
    const replay = await idem.handle(request('k-headers'));
    expect(replay.action === 'respond' && replay.response.headers).toEqual({
      'x-public': 'yes',
      'set-cookie': 's=1',
      'idempotent-replayed': 'true',
    });
  });

  it('answers 422 when the key is reused with another body', async () => {
    const onMismatch = jest.fn();
    const idem = manager({ onMismatch });
    await execute(idem, request('k2'));
    const decision = await idem.handle(request('k2', '{"amount":6}'));
    expect(decision.action === 'respond' && decision.response.status).toBe(422);
    expect(onMismatch).toHaveBeenCalledTimes(1);
  });

  it('answers 409 with a short Retry-After (1 s by default) while the first request runs', async () => {
    const onLockConflict = jest.fn();
    const idem = manager({ lockTtl: 3_000, onLockConflict });
    const first = await idem.handle(request('k3'));
    const second = await idem.handle(request('k3'));
    expect(second.action === 'respond' && second.response.status).toBe(409);
    expect(second.action === 'respond' && second.response.headers['retry-after']).toBe('1');
    expect(onLockConflict).toHaveBeenCalled();
    if (first.action === 'execute') await first.execution.abort();
  });

  it('takes the 409 Retry-After from conflictRetryAfter, never past what the lease has left', async () => {
    const short = manager({ lockTtl: 30_000, conflictRetryAfter: 5 });
    await short.handle(request('k3a'));
    const second = await short.handle(request('k3a'));
    expect(second.action === 'respond' && second.response.headers['retry-after']).toBe('5');
    const capped = manager({ lockTtl: 3_000, conflictRetryAfter: 60 });
    await capped.handle(request('k3b'));
    const third = await capped.handle(request('k3b'));
    expect(third.action === 'respond' && third.response.headers['retry-after']).toBe('3');
  });

  it('waits for the first result with onConflict: wait', async () => {
    const idem = manager({ onConflict: 'wait', waitTimeout: 2_000 });
    const first = await idem.handle(request('k4'));
    const waiting = idem.handle(request('k4'));
    setTimeout(() => first.action === 'execute' && first.execution.finish(ok('done')), 50);
    const decision = await waiting;
    expect(decision.action === 'respond' && decision.outcome.replayed).toBe(true);
    expect(decision.action === 'respond' && text(decision.response.body)).toBe('done');
  });

  it('gives up waiting after waitTimeout with 409 LOCK_TIMEOUT', async () => {
    const idem = manager({ onConflict: 'wait', waitTimeout: 100 });
    const first = await idem.handle(request('k5'));
    const decision = await idem.handle(request('k5'));
    expect(decision.action === 'respond' && decision.response.status).toBe(409);
    expect(decision.action === 'respond' && JSON.parse(text(decision.response.body)).code).toBe('LOCK_TIMEOUT');
    if (first.action === 'execute') await first.execution.abort();
  });

  it('stores nothing for a 5xx answer or an aborted run, so a retry runs again', async () => {
    const idem = manager();
    expect(await execute(idem, request('k6'), { status: 502, headers: {}, body: new Uint8Array() })).toEqual({ stored: false });
    expect((await idem.handle(request('k6'))).action).toBe('execute');
    const aborted = await manager().handle(request('k7'));
    if (aborted.action === 'execute') await aborted.execution.abort();
    expect((await idem.handle(request('k7'))).action).toBe('execute');
  });

  it('marks an oversized response as done without storing it, so it never runs twice', async () => {
    const idem = manager({ maxResponseBytes: 100 });
    expect(await execute(idem, request('k8'), ok('x'.repeat(500)))).toEqual({ stored: false });
    const retry = await idem.handle(request('k8'));
    expect(retry.action === 'respond' && retry.response.status).toBe(409);
    expect(retry.action === 'respond' && JSON.parse(text(retry.response.body)).code).toBe('RESPONSE_NOT_STORED');
    expect(retry.action === 'respond' && retry.response.headers['retry-after']).toBeUndefined();
    expect(retry.action === 'respond' && retry.response.headers['idempotent-replayed']).toBeUndefined();
    expect(retry.outcome).toMatchObject({ replayed: false, protected: true, key: 'k8' });
  });

  it('answers RESPONSE_NOT_STORED through errorHandler, like every other error', async () => {
    const seen: string[] = [];
    const idem = manager({
      maxResponseBytes: 100,
      errorHandler: (error) => {
        seen.push(error.code);
        return { status: error.status, headers: { 'content-type': 'text/plain' }, body: new TextEncoder().encode(`custom ${error.code}`) };
      },
    });
    await execute(idem, request('k8b'), ok('x'.repeat(500)));
    const retry = await idem.handle(request('k8b'));
    expect(retry.action === 'respond' && [retry.response.status, text(retry.response.body)]).toEqual([409, 'custom RESPONSE_NOT_STORED']);
    expect(retry.action === 'respond' && retry.response.headers).toEqual({ 'content-type': 'text/plain' });
    expect(seen).toEqual(['RESPONSE_NOT_STORED']);
  });

  it('keeps tenants apart with scope', async () => {
    const idem = manager({ scope: (req) => String((req as IdempotencyRequest).headers['x-tenant']) });
    await execute(idem, request('same', '{}', { headers: { 'idempotency-key': 'same', 'x-tenant': 'a' } }));
    const other = await idem.handle(request('same', '{}', { headers: { 'idempotency-key': 'same', 'x-tenant': 'b' } }));
    expect(other.action).toBe('execute');
  });

  it('answers 503 with Retry-After and runs nothing when the store fails, or runs unprotected with failOpen', async () => {
    const broken = { ...store, acquire: () => Promise.reject(new Error('ECONNREFUSED')) } as unknown as IdempotencyStore;
    Object.assign(broken, {
      complete: store.complete,
      release: store.release,
      extend: store.extend,
      get: store.get,
      delete: store.delete,
      close: store.close,
    });
    const onStoreError = jest.fn();
    const closed = await new Idempotency({ store: broken, onStoreError }).handle(request('k9'));
    expect(closed.action === 'respond' && closed.response.status).toBe(503);
    expect(closed.action === 'respond' && closed.response.headers['retry-after']).toBeDefined();
    expect(onStoreError).toHaveBeenLastCalledWith(
      expect.objectContaining({ code: 'STORAGE_ERROR' }),
      expect.objectContaining({ failOpen: false }),
    );
    const open = await new Idempotency({ store: broken, failOpen: true, onStoreError }).handle(request('k9'));
    expect(open.action === 'execute' && open.execution.protected).toBe(false);
    expect(onStoreError).toHaveBeenLastCalledWith(expect.anything(), expect.objectContaining({ failOpen: true }));
  });

  it('uses errorHandler’s response when it gives one', async () => {
    const idem = manager({
      requireKey: true,
      errorHandler: (error) => ({ status: error.status, headers: { 'x-err': error.code }, body: new Uint8Array() }),
    });
    const decision = await idem.handle(request(undefined));
    expect(decision.action === 'respond' && decision.response.headers).toEqual({ 'x-err': 'MISSING_KEY' });
  });

  it('answers 400 when a user callback throws', async () => {
    const decision = await manager({
      scope: () => {
        throw new Error('no tenant');
      },
    }).handle(request('k10'));
    expect(decision.action === 'respond' && decision.response.status).toBe(400);
  });

  it('renews the lease while a long handler runs, so no duplicate enters', async () => {
    const idem = manager({ lockTtl: 60 });
    const first = await idem.handle(request('k11'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await idem.handle(request('k11'))).action).toBe('respond');
    const duplicate = await idem.handle(request('k11'));
    expect(duplicate.action === 'respond' && duplicate.response.status).toBe(409);
    if (first.action === 'execute') expect(await first.execution.finish(ok())).toEqual({ stored: true });
  });

  it('retries complete in the background when the store fails at complete, so the retry replays', async () => {
    let failures = 1;
    const flaky = Object.assign(Object.create(store), {
      complete: (...args: Parameters<IdempotencyStore['complete']>) =>
        failures-- > 0 ? Promise.reject(new Error('ECONNRESET')) : store.complete(...args),
    }) as IdempotencyStore;
    const onStoreError = jest.fn();
    const idem = new Idempotency({ store: flaky, lockTtl: 300, onStoreError });
    expect(await execute(idem, request('k13'))).toEqual({ stored: false });
    expect(onStoreError).toHaveBeenCalledWith(expect.objectContaining({ code: 'STORAGE_ERROR' }), expect.anything());
    const during = await idem.handle(request('k13'));
    expect(during.action === 'respond' && during.response.status).toBe(409);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await idem.handle(request('k13'));
    expect(after.action === 'respond' && after.outcome.replayed).toBe(true);
  });

  it('reports a lost lease and does not overwrite the new owner’s result', async () => {
    let clock = Date.now();
    const onLeaseLost = jest.fn();
    const idem = manager({ lockTtl: 1_000, now: () => clock, onLeaseLost });
    const stale = await idem.handle(request('k12'));
    clock += 1_001; // the owner stalled past its lease
    const takeover = await idem.handle(request('k12'));
    expect(takeover.action).toBe('execute');
    if (takeover.action === 'execute') await takeover.execution.finish(ok('second'));
    if (stale.action === 'execute') expect(await stale.execution.finish(ok('first'))).toEqual({ stored: false });
    expect(onLeaseLost).toHaveBeenCalledTimes(1);
    const record = await store.get('k12', { now: clock });
    expect(text(decodeResponse(record!.response!).body)).toBe('second');
  });
});
