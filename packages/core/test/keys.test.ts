import { compositeKey, InvalidKeyError, KeyGenerationError, keyFromBody, keyFromHeader, storageKey, validateKey } from '../src';
import { parseKeyHeader } from '../src/adapter';
import { Callbacks } from '../src/callbacks';
import { deriveKey, generateKey } from '../src/keys';
import { readNodeRequestBodyNow } from '../src/node-body';

const request = (headers: Record<string, string | string[]>, body = '{"a":1}') => ({
  method: 'POST',
  url: '/pay',
  headers,
  body: new TextEncoder().encode(body),
});

describe('key strategies', () => {
  it('reads a bare token as Stripe clients send it', async () => {
    expect(await keyFromHeader()(undefined, request({ 'idempotency-key': 'abc-123' }))).toBe('abc-123');
  });

  it('unquotes the draft’s sf-string form', () => {
    expect(parseKeyHeader('"abc"')).toBe('abc');
    expect(parseKeyHeader('"a\\"b\\\\c"')).toBe('a"b\\c');
  });

  it.each(['"abc', '"a"b"', '"a\\x"'])('rejects the malformed quoted string %s', (value) => {
    expect(() => parseKeyHeader(value)).toThrow(InvalidKeyError);
  });

  it('rejects a key header sent twice', async () => {
    await expect(generateKey(keyFromHeader(), undefined, request({ 'idempotency-key': ['a', 'b'] }))).rejects.toThrow(/once/);
  });

  it.each([
    ['a bare key holding a comma', 'a,b'],
    ['a key sent twice, as node or the Fetch API joins it', 'first, second'],
    ['two quoted keys', '"a", "b"'],
  ])('rejects %s: one sf-item, one key (the same on node and the Fetch API)', async (_label, value) => {
    await expect(generateKey(keyFromHeader(), undefined, request({ 'idempotency-key': value }))).rejects.toThrow(InvalidKeyError);
  });

  it('accepts a quoted key holding a comma', async () => {
    expect(await keyFromHeader()(undefined, request({ 'idempotency-key': '"a,b"' }))).toBe('a,b');
    expect(await keyFromHeader()(undefined, request({ 'idempotency-key': '"a\\",b"' }))).toBe('a",b');
  });

  it('uses the configured header name, in any case', async () => {
    expect(await keyFromHeader('X-Request-Id')(undefined, request({ 'x-request-id': 'r1' }))).toBe('r1');
  });

  it('derives the same key from identical bodies and another from a different body', async () => {
    const strategy = keyFromBody();
    const a = await strategy(undefined, request({}));
    expect(await strategy(undefined, request({}))).toBe(a);
    expect(await strategy(undefined, request({}, '{"a":2}'))).not.toBe(a);
  });

  it('combines strategies and has no key unless every part has one', async () => {
    const strategy = compositeKey(keyFromHeader(), (_req: unknown, r) => r.headers['x-user'] as string | undefined);
    expect(await strategy(undefined, request({ 'idempotency-key': 'k', 'x-user': 'u:1' }))).toBe('k:u%3A1');
    expect(await strategy(undefined, request({ 'idempotency-key': 'k' }))).toBeUndefined();
  });

  it('joins parts one-to-one and never throws on a lone surrogate', async () => {
    const parts = (...values: string[]) => compositeKey(...values.map((value) => () => value));
    expect(await parts('a:b', 'c')(undefined, request({}))).not.toBe(await parts('a', 'b:c')(undefined, request({})));
    expect(await parts('a%3Ab', 'c')(undefined, request({}))).not.toBe(await parts('a:b', 'c')(undefined, request({})));
    expect(await parts('user\ud800', 'k')(undefined, request({}))).toBe('user%uD800:k');
    expect(await parts('ünï', 'k')(undefined, request({}))).toBe('ünï:k');
  });

  it('turns a throwing custom strategy into KeyGenerationError', async () => {
    const failing = () => {
      throw new Error('no user');
    };
    await expect(generateKey(failing, undefined, request({}))).rejects.toBeInstanceOf(KeyGenerationError);
    await expect(generateKey(() => 42 as unknown as string, undefined, request({}))).rejects.toBeInstanceOf(KeyGenerationError);
  });
});

describe('validateKey', () => {
  it.each([
    ['', /empty/],
    ['x'.repeat(256), /longer than 255/],
    ['a\nb', /control/],
    ['a\u0000', /control/],
    ['a\u007f', /control/],
  ])('rejects %j', (key, reason) => {
    expect(() => validateKey(key)).toThrow(InvalidKeyError);
    expect(() => validateKey(key)).toThrow(reason);
  });

  it('accepts 255 characters of unicode', () => {
    expect(() => validateKey('é'.repeat(255))).not.toThrow();
  });

  it('applies a custom rule with its reason', () => {
    const uuid = (key: string) => /^[0-9a-f-]{36}$/.test(key) || 'the key must be a UUID';
    expect(() => validateKey('nope', uuid)).toThrow('the key must be a UUID');
    expect(() => validateKey('nope', () => false)).toThrow(/validateKey/);
  });
});

describe('storageKey', () => {
  it('keeps scopes apart even when keys contain the separator', () => {
    expect(storageKey('b:c', 'a', false)).not.toBe(storageKey('c', 'a:b', false));
    expect(storageKey('k', 'tenant-1', false)).not.toBe(storageKey('k', 'tenant-2', false));
  });

  it('stores a SHA-256 instead of the key with hashKeys', () => {
    const hashed = storageKey('secret-key', undefined, true);
    expect(hashed).toMatch(/^[0-9a-f]{64}$/);
    expect(hashed).not.toContain('secret');
  });
});

// A first execution awaits nothing it does not have to: on Node 20 every await allocates.
describe('the classifiers answer synchronously when the callback does', () => {
  it('deriveKey: a synchronous strategy’s key, or its KeyGenerationError, comes back at once; an async one as a promise', async () => {
    expect(deriveKey(keyFromHeader(), undefined, request({ 'idempotency-key': 'k1' }))).toBe('k1');
    expect(() => deriveKey(() => 42 as unknown as string, undefined, request({}))).toThrow(KeyGenerationError);
    const later = deriveKey(async () => 'k2', undefined, request({}));
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toBe('k2');
    const failing = async (): Promise<string> => {
      throw new Error('down');
    };
    await expect(deriveKey(failing, undefined, request({}))).rejects.toBeInstanceOf(KeyGenerationError);
  });

  it('classify: a synchronous answer at once, a throw as KeyGenerationError at once, a promise kept a promise', async () => {
    const callbacks = new Callbacks();
    expect(callbacks.classify('scope', () => 'tenant')).toBe('tenant');
    expect(() =>
      callbacks.classify('scope', () => {
        throw new Error('no tenant');
      }),
    ).toThrow(KeyGenerationError);
    const later = callbacks.classify('scope', async () => 'tenant');
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toBe('tenant');
    await expect(callbacks.classify('scope', () => Promise.reject(new Error('down')))).rejects.toBeInstanceOf(KeyGenerationError);
  });

  it('readNodeRequestBodyNow: a body a parser already read is answered at once', () => {
    const consumed = { headers: {}, readableEnded: true } as unknown as Parameters<typeof readNodeRequestBodyNow>[0];
    expect(readNodeRequestBodyNow(consumed, 1024)).toEqual({ kind: 'consumed' });
  });
});
