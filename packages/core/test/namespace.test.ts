import { DEFAULT_PREFIX, namespacedKey, storageKey } from '../src';

const name = (prefix: string, scope: string | undefined, key: string) => namespacedKey(prefix, storageKey(key, scope));

describe('record names', () => {
  it('read plainly in a store: idem:k1, idem:s=tenant-1:k1', () => {
    expect(name(DEFAULT_PREFIX, undefined, 'k1')).toBe('idem:k1');
    expect(name('idem', 'tenant-1', 'k1')).toBe('idem:s=tenant-1:k1');
    expect(name('idem', undefined, '123e4567-e89b-12d3-a456-426614174000')).toBe('idem:123e4567-e89b-12d3-a456-426614174000');
  });

  it('keep prefix "a" with scope "b" apart from prefix "ab" with no scope', () => {
    expect(name('a', 'b', 'k')).not.toBe(name('ab', undefined, 'k'));
    expect(name('a', undefined, 'b:k')).not.toBe(name('a:b', undefined, 'k'));
    expect(name('app', undefined, 'v2:k')).toBe('app:v2:k');
    expect(name('app:v2', undefined, 'k')).toBe('app%3Av2:k');
  });

  it('tell the empty scope from no scope', () => {
    expect(name('idem', '', 'k1')).toBe('idem:s=:k1');
    expect(name('idem', '', 'k1')).not.toBe(name('idem', undefined, 'k1'));
  });

  it('never let a key read as a scope', () => {
    expect(name('idem', undefined, 's=tenant:k1')).toBe('idem:%73=tenant:k1');
    expect(name('idem', undefined, 's=tenant:k1')).not.toBe(name('idem', 'tenant', 'k1'));
    expect(name('idem', undefined, '%73=t:k')).toBe('idem:%2573=t:k');
  });

  it('escape % and : in scopes, keep them in keys', () => {
    expect(name('idem', 'a:b%c', 'x:y%z')).toBe('idem:s=a%3Ab%25c:x:y%z');
  });

  it('never throw on a lone surrogate in a prefix or scope (encodeURIComponent did)', () => {
    expect(() => encodeURIComponent('\ud800')).toThrow(URIError);
    expect(name('p\udc00', 'tenant\ud800', 'k\ud800')).toBe('p%uDC00:s=tenant%uD800:k\ud800');
    expect(storageKey('k', '\ud800', true)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hash (scope, key) with hashKeys, so the store never holds the client key', () => {
    const hashed = storageKey('secret-key', 'tenant', true);
    expect(hashed).toMatch(/^[0-9a-f]{64}$/);
    expect(hashed).not.toBe(storageKey('secret-key', undefined, true));
    expect(hashed).not.toBe(storageKey('secret-key', '', true));
  });
});
