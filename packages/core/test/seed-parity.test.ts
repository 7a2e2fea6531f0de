import { MemoryStore } from '@idem/memory';
import { InvalidKeyError, keyFromBody, keyFromHeaderOrBody, uuidKey, validateKey, type IdempotencyRequest } from '../src';
import { Idempotency } from '../src/adapter';

const request = (headers: Record<string, string | string[]>, body = '{"amount":5}', method = 'POST'): IdempotencyRequest => ({
  method,
  url: '/payments',
  headers,
  body: new TextEncoder().encode(body),
});

let store: MemoryStore;
beforeEach(() => {
  store = new MemoryStore();
});
afterEach(() => store.close());

describe('header-or-body-hash key strategy', () => {
  it('takes the header key when the client sends one', async () => {
    expect(await keyFromHeaderOrBody()(undefined, request({ 'idempotency-key': 'client-key' }))).toBe('client-key');
    expect(await keyFromHeaderOrBody('X-Request-Id')(undefined, request({ 'x-request-id': '"quoted"' }))).toBe('quoted');
  });

  it('falls back to the body hash when the header is absent', async () => {
    const strategy = keyFromHeaderOrBody();
    const key = await strategy(undefined, request({}));
    expect(key).toBe(await keyFromBody()(undefined, request({})));
    expect(await strategy(undefined, request({}, '{"amount":6}'))).not.toBe(key);
  });

  it('still rejects a repeated header instead of falling back to the body', async () => {
    await expect(keyFromHeaderOrBody()(undefined, request({ 'idempotency-key': ['a', 'b'] }))).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it('deduplicates keyless retries through the manager and replays the first answer', async () => {
    const idem = new Idempotency({ store, key: keyFromHeaderOrBody() });
    const first = await idem.handle(request({}));
    expect(first.action).toBe('execute');
    if (first.action === 'execute') await first.execution.finish({ status: 201, headers: {}, body: new TextEncoder().encode('ok') });
    const retry = await idem.handle(request({}));
    expect(retry.action === 'respond' && retry.outcome.replayed).toBe(true);
  });
});

describe('uuidKey validator', () => {
  it.each(['123e4567-e89b-12d3-a456-426614174000', 'F47AC10B-58CC-4372-A567-0E02B2C3D479'])('accepts the UUID %s', (key) => {
    expect(uuidKey(key)).toBe(true);
    expect(() => validateKey(key, uuidKey)).not.toThrow();
  });

  it.each([
    'abc',
    '123e4567e89b12d3a456426614174000',
    '123e4567-e89b-12d3-a456-42661417400g',
    ' 123e4567-e89b-12d3-a456-426614174000',
    '123e4567-e89b-12d3-a456-4266141740000',
  ])('rejects %j with a reason', (key) => {
    expect(uuidKey(key)).toMatch(/UUID/);
    expect(() => validateKey(key, uuidKey)).toThrow(InvalidKeyError);
  });

  it('answers 400 INVALID_KEY for a key that is not a UUID when used as validateKey', async () => {
    const decision = await new Idempotency({ store, validateKey: uuidKey }).handle(request({ 'idempotency-key': 'not-a-uuid' }));
    expect(decision.action === 'respond' && decision.response.status).toBe(400);
    expect(decision.action === 'respond' && JSON.parse(Buffer.from(decision.response.body).toString())).toMatchObject({
      code: 'INVALID_KEY',
    });
  });
});

describe("methods: 'unsafe'", () => {
  it('protects every method but GET, HEAD, OPTIONS and TRACE, in any case', () => {
    const idem = new Idempotency({ store, methods: 'unsafe' });
    for (const method of ['POST', 'put', 'PATCH', 'DELETE', 'PROPFIND', 'LOCK', 'QUERY']) expect(idem.isMethodAllowed(method)).toBe(true);
    for (const method of ['GET', 'head', 'OPTIONS', 'TRACE']) expect(idem.isMethodAllowed(method)).toBe(false);
  });

  it('runs a non-standard unsafe method under a lease and passes a GET through', async () => {
    const idem = new Idempotency({ store, methods: 'unsafe' });
    expect((await idem.handle(request({ 'idempotency-key': 'k' }, '', 'MKCOL'))).action).toBe('execute');
    expect((await idem.handle(request({ 'idempotency-key': 'k' }, '', 'GET'))).action).toBe('pass');
  });
});

describe('manager.settings and isMethodAllowed', () => {
  it('exposes the resolved settings, defaults applied, frozen', () => {
    const idem = new Idempotency({ store, methods: ['post', 'put'], lockTtl: 5_000 });
    expect(idem.settings).toEqual({
      ttl: 86_400_000,
      lockTtl: 5_000,
      header: 'Idempotency-Key',
      methods: ['POST', 'PUT'],
      requireKey: false,
      onConflict: 'reject',
      waitTimeout: 10_000,
      conflictRetryAfter: 1,
      failOpen: false,
      maxResponseBytes: 5 * 1024 * 1024,
      hashKeys: false,
    });
    expect(Object.isFrozen(idem.settings)).toBe(true);
    expect(Object.isFrozen(idem.settings.methods)).toBe(true);
    expect(() => ((idem.settings as { ttl: number }).ttl = 1)).toThrow(TypeError);
  });

  it('isMethodAllowed follows the configured list', () => {
    const idem = new Idempotency({ store });
    expect(idem.isMethodAllowed('post')).toBe(true);
    expect(idem.isMethodAllowed('GET')).toBe(false);
    expect(idem.isMethodAllowed('PROPFIND')).toBe(false);
  });
});
