/**
 * Property tests: the codec, key parsing and fingerprints hold for arbitrary input, not only the cases we
 * thought of. fast-check prints the seed and the shrunk counterexample on failure, so it can be replayed.
 */
import fc from 'fast-check';
import {
  canonicalJson,
  createFingerprinter,
  IdempotencyError,
  keyFromHeader,
  storageKey,
  validateKey,
} from '../src';
import { decodeResponse, encodeResponse, parseKeyHeader } from '../src/adapter';
import { generateKey } from '../src/keys';

const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/);
const headerValue = fc.oneof(fc.string(), fc.array(fc.string(), { minLength: 1, maxLength: 4 }));

describe('properties', () => {
  it('the codec round-trips any status, header set and body bytes exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.dictionary(headerName, headerValue),
        fc.uint8Array({ maxLength: 4096 }),
        (status, headers, body) => {
          const decoded = decodeResponse(encodeResponse({ status, headers, body }));
          expect(decoded.status).toBe(status);
          expect(decoded.headers).toEqual(headers);
          expect(Buffer.from(decoded.body).equals(Buffer.from(body))).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('key parsing and validation never throw anything but IdempotencyError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }), fc.string({ unit: 'binary' })), async (value) => {
        const request = { method: 'POST', url: '/', headers: { 'idempotency-key': value } };
        try {
          const key = await generateKey(keyFromHeader(), undefined, request);
          if (key !== undefined) validateKey(key);
        } catch (error) {
          expect(error).toBeInstanceOf(IdempotencyError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a quoted key round-trips through sf-string escaping', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (key) => {
        const quoted = `"${key.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
        expect(parseKeyHeader(quoted)).toBe(key);
      }),
    );
  });

  it('fingerprints with json: true do not depend on key order or whitespace', async () => {
    const fingerprint = createFingerprinter({ json: true });
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string(), fc.jsonValue()), fc.integer({ min: 0, max: 4 }), async (object, indent) => {
        const reversed = Object.fromEntries(Object.entries(object).reverse());
        const a = new TextEncoder().encode(JSON.stringify(object));
        const b = new TextEncoder().encode(JSON.stringify(reversed, null, indent));
        const request = (body: Uint8Array) => ({ method: 'POST', url: '/x', headers: {}, body });
        expect(await fingerprint(undefined, request(a))).toBe(await fingerprint(undefined, request(b)));
      }),
      { numRuns: 500 },
    );
  });

  it('canonical JSON is a function of the value, not of its spelling', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(canonicalJson(value));
      }),
    );
  });

  it('no two (scope, key) pairs share a storage key', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (scopeA, keyA, scopeB, keyB) => {
        fc.pre(scopeA !== scopeB || keyA !== keyB);
        fc.pre(scopeA !== '' && scopeB !== '');
        expect(storageKey(keyA, scopeA, false)).not.toBe(storageKey(keyB, scopeB, false));
      }),
      { numRuns: 2000 },
    );
  });
});
