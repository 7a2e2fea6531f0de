import { sha256, storageKey, textBytes } from '../src';

describe('textBytes: one byte string per JS string', () => {
  const loneSurrogates = ['k\ud800', 'k\udc00', 'k\ufffd', 'k\udc00\ud800', 'k\ud800\udc00'];

  it('keeps keys apart that UTF-8 would merge into U+FFFD', () => {
    const encoded = loneSurrogates.map((text) => Buffer.from(textBytes(text)).toString('hex'));
    expect(new Set(encoded).size).toBe(loneSurrogates.length);
  });

  it('is plain UTF-8 for well-formed text, so existing hashes and rows stay valid', () => {
    for (const text of ['pay_123', 'ünïcödé 日本語 🙂', '\ufffd', ''])
      expect(Buffer.from(textBytes(text)).equals(Buffer.from(text, 'utf8'))).toBe(true);
  });

  it('sha256 and hashKeys storage keys tell lone surrogates apart', () => {
    expect(new Set(loneSurrogates.map((text) => sha256(text))).size).toBe(loneSurrogates.length);
    expect(new Set(loneSurrogates.map((text) => storageKey(text, 'tenant', true))).size).toBe(loneSurrogates.length);
    // Well-formed strings hash as before (SHA-256 of "3:abc"): fingerprints and hashed keys already stored still match.
    expect(sha256('abc')).toBe('aab5f9ae99b2e38fb462025c8f72f570c9c811705d2a4277dc855d7fa293fe97');
    // A lone surrogate beside well-formed parts takes the part-by-part path: pinned as it always hashed.
    expect(sha256('k\ud800', 'ü')).toBe('262951749fe6a1126504aca173c0e3f4ddce87fdf6ae8a519fc178a0f3328a88');
    // Byte parts (a raw body) hash as the same length-prefixed stream, whichever way the digest is taken.
    expect(sha256('POST /orders', new TextEncoder().encode('{"amount":1}'))).toBe(
      'e5b1c03e56a19570b4dad244ec6e7e984f1d0c8b982633ffb887a03939287a20',
    );
    expect(sha256(new Uint8Array([0, 255, 1]), 'x')).toBe('df64de6b650ebc0f4a7c9360131800a692619e9e72f4e2dc3dfd7938bf734bb6');
  });
});

describe('sha256 without crypto.hash (Node < 20.12)', () => {
  it('streams the same length-prefixed parts into a Hash: the same digests', () => {
    jest.isolateModules(() => {
      jest.doMock('node:crypto', () => {
        const { hash: _oneShot, ...withoutOneShot } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
        return withoutOneShot;
      });
      const { sha256: streamed } = require('../src/hash') as typeof import('../src/hash');
      expect(streamed('abc')).toBe('aab5f9ae99b2e38fb462025c8f72f570c9c811705d2a4277dc855d7fa293fe97');
      expect(streamed('POST /orders', new TextEncoder().encode('{"amount":1}'))).toBe(
        'e5b1c03e56a19570b4dad244ec6e7e984f1d0c8b982633ffb887a03939287a20',
      );
      expect(streamed(new Uint8Array([0, 255, 1]), 'x')).toBe('df64de6b650ebc0f4a7c9360131800a692619e9e72f4e2dc3dfd7938bf734bb6');
    });
  });
});
