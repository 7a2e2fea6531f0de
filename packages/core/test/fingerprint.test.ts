import { canonicalJson, createFingerprinter } from '../src';

const req = (body: string | undefined, url = '/pay', method = 'POST', parsedBody?: unknown) => ({
  method,
  url,
  headers: {},
  body: body === undefined ? undefined : new TextEncoder().encode(body),
  parsedBody,
});

describe('fingerprints', () => {
  it('differ by method, URL and body bytes by default', async () => {
    const fp = createFingerprinter(undefined);
    const base = await fp(undefined, req('{"a":1}'));
    expect(await fp(undefined, req('{"a":1}'))).toBe(base);
    expect(await fp(undefined, req('{"a":2}'))).not.toBe(base);
    expect(await fp(undefined, req('{"a":1}', '/other'))).not.toBe(base);
    expect(await fp(undefined, req('{"a":1}', '/pay', 'PUT'))).not.toBe(base);
    expect(await fp(undefined, req('{ "a": 1 }'))).not.toBe(base);
  });

  it('ignore JSON key order and whitespace with json: true', async () => {
    const fp = createFingerprinter({ json: true });
    expect(await fp(undefined, req('{"a":1,"b":{"c":2,"d":3}}'))).toBe(await fp(undefined, req('{ "b": {"d":3, "c":2}, "a": 1 }')));
  });

  it('compare a parsed body by content when the raw bytes are gone', async () => {
    const fp = createFingerprinter(undefined);
    expect(await fp(undefined, req(undefined, '/pay', 'POST', { a: 1, b: 2 }))).toBe(
      await fp(undefined, req(undefined, '/pay', 'POST', { b: 2, a: 1 })),
    );
  });

  it('count only picked fields, or all but omitted ones', async () => {
    const pick = createFingerprinter({ pick: ['amount'] });
    expect(await pick(undefined, req('{"amount":5,"nonce":1}'))).toBe(await pick(undefined, req('{"nonce":2,"amount":5}')));
    expect(await pick(undefined, req('{"amount":6}'))).not.toBe(await pick(undefined, req('{"amount":5}')));
    const omit = createFingerprinter({ omit: ['sentAt'] });
    expect(await omit(undefined, req('{"amount":5,"sentAt":1}'))).toBe(await omit(undefined, req('{"amount":5,"sentAt":2}')));
  });

  it('fall back to bytes for a non-JSON body in json mode', async () => {
    const fp = createFingerprinter({ json: true });
    expect(await fp(undefined, req('not json'))).not.toBe(await fp(undefined, req('not json!')));
  });

  it('can ignore the URL', async () => {
    const fp = createFingerprinter({ includeUrl: false });
    expect(await fp(undefined, req('x', '/a'))).toBe(await fp(undefined, req('x', '/b')));
  });

  it('use a custom hash or a custom function', async () => {
    const custom = createFingerprinter({ hash: (input) => `len:${input.length}` });
    expect(await custom(undefined, req('abc'))).toBe('len:13');
    const fn = createFingerprinter(() => 'same');
    expect(await fn(undefined, req('a'))).toBe('same');
    expect(await createFingerprinter(false)(undefined, req('a'))).toBe('');
  });

  it('canonical JSON sorts keys at every depth and drops undefined fields', () => {
    expect(canonicalJson({ b: [{ z: 1, y: undefined, x: 2 }], a: null })).toBe('{"a":null,"b":[{"x":2,"z":1}]}');
  });

  // A fingerprint is stored with its record: a faster implementation must give the very same digests,
  // or every retry across an upgrade would be refused as a mismatch.
  it('are stable across versions (digests pinned)', async () => {
    const parsed = {
      method: 'post',
      url: '/orders?x=1',
      headers: {},
      parsedBody: { currency: 'eur', amount: 4200, nested: { z: [1, null, 'é🙂'], a: true } },
    };
    expect(await createFingerprinter(undefined)(undefined, parsed)).toBe(
      '1d5817622832721ce774a77f63a18accc92b79bfa1a15a5b355f68c53de3246e',
    );
    expect(await createFingerprinter(undefined)(undefined, req('{"b":1,"a":2}', '/orders'))).toBe(
      '37b6b0aa0a30e6e6729d5b333b8132cfdcb0364a2ceab693c937837466962f3a',
    );
    expect(await createFingerprinter({ json: true })(undefined, req('{"b":1,"a":2}', '/orders'))).toBe(
      '789971749d5ffcac6e85ba44ee285420a7cfd9f6dddee1cacbb6a3fc93e446c4',
    );
    expect(await createFingerprinter({ omit: ['amount'] })(undefined, parsed)).toBe(
      '20dca71bf96d2851844d3c3e770418c4111018cc53a00cf7578fe7995ce2cee5',
    );
    expect(await createFingerprinter({ includeUrl: false })(undefined, { ...parsed, parsedBody: 'lone\udc00' })).toBe(
      '89fe3caf847c090e1b6c82033e5177dccd62f79861f84205e89094656482861f',
    );
  });

  it('canonical JSON keeps the shape it always had: array holes empty, undefined items null, no toJSON', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the case under test
    expect(canonicalJson([1, , undefined, () => 1])).toBe('[1,,null,null]');
    expect(canonicalJson({ d: new Date(0), f: () => 1, u: undefined })).toBe('{"d":{},"f":null}');
    expect(() => canonicalJson({ a: 1n })).toThrow(TypeError);
  });
});
