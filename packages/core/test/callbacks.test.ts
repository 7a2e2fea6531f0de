import { waitFor } from './support/wait-for';
import { MemoryStore } from '@idem/memory';
import { Idempotency } from '../src/adapter';
import {
  CallbackError,
  IdempotencyRunner,
  idempotent,
  KeyGenerationError,
  ResultNotEncodableError,
  type HttpResponse,
  type IdempotencyOptions,
  type IdempotencyRequest,
  type IdempotencyStore,
} from '../src';

const request = (key: string, body = '{"amount":5}'): IdempotencyRequest => ({
  method: 'POST',
  url: '/payments',
  headers: { 'idempotency-key': key },
  body: new TextEncoder().encode(body),
});
const ok: HttpResponse = { status: 201, headers: { 'content-type': 'text/plain' }, body: new TextEncoder().encode('charged') };
const text = (body: Uint8Array) => Buffer.from(body).toString();

let store: MemoryStore;
let reported: CallbackError[];
const manager = (options: Partial<IdempotencyOptions>) =>
  new Idempotency({ store, onCallbackError: (error) => void reported.push(error), ...options });
const boom = () => {
  throw new Error('hook bug');
};
const rejecting = async () => {
  throw new Error('async hook bug');
};
const settle = () => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => {
  store = new MemoryStore();
  reported = [];
});
afterEach(() => store.close());

async function firstRun(idem: Idempotency, key: string) {
  const decision = await idem.handle(request(key));
  if (decision.action !== 'execute')
    throw new Error(`expected execute, got ${decision.action}: ${decision.action === 'respond' ? text(decision.response.body) : ''}`);
  return decision.execution.finish(ok);
}

describe('user callbacks go through one guarded path', () => {
  it('a throwing onCacheMiss changes nothing: the handler runs, the response is stored, a retry replays', async () => {
    const idem = manager({ onCacheMiss: boom });
    expect(await firstRun(idem, 'miss')).toEqual({ stored: true });
    const retry = await idem.handle(request('miss'));
    expect(retry.action === 'respond' && retry.outcome.replayed).toBe(true);
    expect(reported.map((e) => [e.callback, e.key])).toEqual([['onCacheMiss', 'miss']]);
    expect(reported[0]).toBeInstanceOf(CallbackError);
  });

  it('a throwing onCacheHit still replays', async () => {
    const idem = manager({ onCacheHit: boom });
    await firstRun(idem, 'hit');
    const retry = await idem.handle(request('hit'));
    expect(retry.action === 'respond' && retry.response.status).toBe(201);
    expect(retry.action === 'respond' && retry.outcome.replayed).toBe(true);
    expect(reported.map((e) => e.callback)).toEqual(['onCacheHit']);
  });

  it('rejecting async hooks are caught and reported, never unhandled', async () => {
    const idem = manager({ onCacheHit: rejecting, onCacheMiss: rejecting, onLockConflict: rejecting, onMismatch: rejecting });
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const first = await idem.handle(request('async'));
      const conflict = await idem.handle(request('async'));
      expect(conflict.action === 'respond' && conflict.response.status).toBe(409);
      if (first.action === 'execute') await first.execution.finish(ok);
      await idem.handle(request('async'));
      await idem.handle(request('async', '{"other":1}'));
      await settle();
      expect(unhandled).not.toHaveBeenCalled();
      expect(reported.map((e) => e.callback).sort()).toEqual(['onCacheHit', 'onCacheMiss', 'onLockConflict', 'onMismatch']);
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('a throwing onStoreError and a throwing onCallbackError are swallowed', async () => {
    const broken: IdempotencyStore = Object.assign(Object.create(store) as IdempotencyStore, {
      acquire: async () => Promise.reject(new Error('down')),
    });
    const idem = new Idempotency({ store: broken, onStoreError: boom, onCallbackError: boom });
    const decision = await idem.handle(request('down'));
    expect(decision.action === 'respond' && decision.response.status).toBe(503);
  });

  it('reports to console.error when onCallbackError is not set', async () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const idem = new Idempotency({ store, onCacheMiss: boom });
      await firstRun(idem, 'console');
      expect(spy).toHaveBeenCalledWith(expect.any(CallbackError));
    } finally {
      spy.mockRestore();
    }
  });

  it.each([
    ['scope', { scope: boom }],
    ['skip', { skip: boom }],
    ['key', { key: boom }],
    ['fingerprint', { fingerprint: boom }],
    ['scope (async)', { scope: rejecting }],
  ])('a throwing %s answers 400 KEY_GENERATION_FAILED and holds no lease', async (_name, options) => {
    const seen: unknown[] = [];
    const idem = manager({ ...(options as Partial<IdempotencyOptions>), errorHandler: (error) => void seen.push(error) });
    const decision = await idem.handle(request('classify'));
    expect(decision.action === 'respond' && decision.response.status).toBe(400);
    expect(decision.action === 'respond' && JSON.parse(text(decision.response.body)).code).toBe('KEY_GENERATION_FAILED');
    expect(seen[0]).toBeInstanceOf(KeyGenerationError);
    expect(await store.get('classify')).toBeUndefined();
  });

  it('a throwing validateKey rejects the key with 400 INVALID_KEY and is reported', async () => {
    const decision = await manager({ validateKey: boom }).handle(request('v'));
    expect(decision.action === 'respond' && JSON.parse(text(decision.response.body)).code).toBe('INVALID_KEY');
    expect(reported.map((e) => e.callback)).toEqual(['validateKey']);
  });

  it('a throwing shouldStore stores nothing and releases the key; the client still gets its answer', async () => {
    const idem = manager({ shouldStore: boom });
    expect(await firstRun(idem, 'should')).toEqual({ stored: false });
    expect(await store.get('should')).toBeUndefined();
    expect(reported.map((e) => e.callback)).toEqual(['shouldStore']);
  });

  it('a throwing keepResponseHeaders predicate keeps no header it was asked about, and the record still lands', async () => {
    const idem = manager({ keepResponseHeaders: boom });
    await firstRun(idem, 'keep');
    const retry = await idem.handle(request('keep'));
    expect(retry.action === 'respond' && retry.response.headers).toEqual({ 'idempotent-replayed': 'true' });
    expect(reported[0]?.callback).toBe('keepResponseHeaders');
  });

  it('a throwing or rejecting errorHandler falls back to problem+json', async () => {
    for (const errorHandler of [boom, rejecting]) {
      const decision = await manager({ requireKey: true, errorHandler }).handle({ method: 'POST', url: '/', headers: {} });
      expect(decision.action === 'respond' && decision.response.headers['content-type']).toBe('application/problem+json');
      expect(decision.action === 'respond' && decision.response.status).toBe(400);
    }
    expect(reported.map((e) => e.callback)).toEqual(['errorHandler', 'errorHandler']);
  });

  it('an errorHandler may be async and may return a Web Response', async () => {
    const asyncHandler = manager({
      requireKey: true,
      errorHandler: async (error) => ({ status: 418, headers: {}, body: new TextEncoder().encode(error.code) }),
    });
    const a = await asyncHandler.handle({ method: 'POST', url: '/', headers: {} });
    expect(a.action === 'respond' && [a.response.status, text(a.response.body)]).toEqual([418, 'MISSING_KEY']);
    const web = manager({ requireKey: true, errorHandler: (error) => Response.json({ oops: error.code }, { status: 400 }) });
    const b = await web.handle({ method: 'POST', url: '/', headers: {} });
    expect(b.action === 'respond' && JSON.parse(text(b.response.body))).toEqual({ oops: 'MISSING_KEY' });
    expect(b.action === 'respond' && b.response.headers['content-type']).toMatch(/json/);
  });

  it('an errorHandler answer that is not a response falls back to problem+json', async () => {
    const decision = await manager({ requireKey: true, errorHandler: () => ({ status: 42 }) as unknown as HttpResponse }).handle({
      method: 'POST',
      url: '/',
      headers: {},
    });
    expect(decision.action === 'respond' && decision.response.status).toBe(400);
    expect(reported.map((e) => e.callback)).toEqual(['errorHandler']);
  });
});

describe('function API callbacks', () => {
  it('run(): a result the serializer cannot encode releases the key and throws ResultNotEncodableError', async () => {
    const runner = new IdempotencyRunner({ store });
    const error = await runner.run('big', () => ({ amount: BigInt(5) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResultNotEncodableError);
    expect((error as ResultNotEncodableError).result).toEqual({ amount: BigInt(5) });
    expect(await store.get('big')).toBeUndefined();
    expect(await runner.run('big', () => 'fixed')).toBe('fixed');
  });

  it('run(): a stored result the serializer cannot read rejects with StorageError, reported, fn not run again', async () => {
    const onStoreError = jest.fn();
    const unreadable = { serialize: (value: unknown) => new TextEncoder().encode(String(value)), deserialize: () => boom() };
    const runner = new IdempotencyRunner({ store, onStoreError }, unreadable);
    const fn = jest.fn(() => 'first');
    expect(await runner.run('unreadable', fn)).toBe('first');
    await expect(runner.run('unreadable', fn)).rejects.toMatchObject({ code: 'STORAGE_ERROR' });
    expect(fn).toHaveBeenCalledTimes(1);
    expect(onStoreError).toHaveBeenCalledWith(
      expect.objectContaining({ code: 'STORAGE_ERROR' }),
      expect.objectContaining({ key: 'unreadable', failOpen: false }),
    );
  });

  it('idempotent(): a circular result releases the key and rejects with ResultNotEncodableError', async () => {
    const circular = () => {
      const order: { id: string; self?: unknown } = { id: 'o1' };
      order.self = order;
      return order;
    };
    let calls = 0;
    const wrapped = idempotent(
      (id: string) => {
        calls += 1;
        return calls === 1 ? circular() : { id };
      },
      { store, key: (id) => id },
    );
    await expect(wrapped('o1')).rejects.toBeInstanceOf(ResultNotEncodableError);
    expect(await wrapped('o1')).toEqual({ id: 'o1' });
    expect(calls).toBe(2);
  });

  it('run(): a store failure at complete still returns the result and reports the store error', async () => {
    const onStoreError = jest.fn();
    let down = true;
    let landed = false;
    const failing: IdempotencyStore = Object.assign(Object.create(store) as IdempotencyStore, {
      acquire: store.acquire.bind(store),
      release: store.release.bind(store),
      extend: store.extend.bind(store),
      complete: async (...args: Parameters<IdempotencyStore['complete']>) => {
        if (down) throw new Error('down at complete');
        return (landed = await store.complete(...args));
      },
    });
    const runner = new IdempotencyRunner({ store: failing, onStoreError });
    expect(await runner.run('lost', () => ({ charged: 5 }))).toEqual({ charged: 5 });
    expect(onStoreError).toHaveBeenCalledWith(
      expect.objectContaining({ code: 'STORAGE_ERROR' }),
      expect.objectContaining({ key: 'lost', failOpen: false }),
    );
    // The lease keeps retrying complete in the background: once the store is back the record lands
    // (and no retry outlives this test to publish store errors into later test files).
    down = false;
    await waitFor(() => landed);
    expect((await store.get('lost'))?.status).toBe('completed');
  });

  it('idempotent(): a throwing key function throws KeyGenerationError, holding no lease', async () => {
    const runner = new IdempotencyRunner({ store });
    const wrapped = runner.idempotent(() => 1, { key: boom });
    await expect(wrapped()).rejects.toBeInstanceOf(KeyGenerationError);
  });

  it('run(): hooks get the client key, the storage key in their context', async () => {
    const onCacheMiss = jest.fn();
    await new IdempotencyRunner({ store, onCacheMiss }).run('evt', () => 1, { scope: 'tenant' });
    expect(onCacheMiss).toHaveBeenCalledWith('evt', undefined, { storageKey: 's=tenant:evt' });
  });
});
