/**
 * Property tests: the codec, key parsing and fingerprints hold for arbitrary input, not only the cases we
 * thought of. fast-check prints the seed and the shrunk counterexample on failure, so it can be replayed.
 */
import fc from 'fast-check';
import { canonicalJson, createFingerprinter, IdempotencyError, keyFromHeader, namespacedKey, storageKey, validateKey } from '../src';
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

  it('canonical JSON orders the fields of an object exactly as `sort()` does, at any size', () => {
    // Integer-like names, case, and characters past the BMP all order by UTF-16 code units.
    const name = fc.oneof(fc.string({ maxLength: 4 }), fc.nat(1000).map(String), fc.constantFrom('a', 'B', 'é', '\u{1f600}', '10', '9'));
    fc.assert(
      fc.property(fc.uniqueArray(name, { maxLength: 48 }), (names) => {
        const object = Object.fromEntries(names.map((field, index) => [field, index]));
        const expected = `{${Object.keys(object)
          .sort()
          .map((field) => `${JSON.stringify(field)}:${object[field]}`)
          .join(',')}}`;
        expect(canonicalJson(object)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  // Any UTF-16 string, and strings built from the rule's own separators and escapes (`%73`, `s=`, `%uD800`,
  // lone surrogates), so the cases an escaping bug would merge come up in every run.
  const token = fc.constantFrom('%', ':', 's', '=', 's=', '%73', '%25', '%3A', '%u', 'D800', '\ud800', '\udc00', 'k');
  const text = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.array(token, { maxLength: 6 }).map((parts) => parts.join('')),
  );
  const scope = fc.option(text, { nil: undefined });

  it('no two (prefix, scope, key) triples share a record name, and naming never throws', () => {
    fc.assert(
      fc.property(text, scope, text, text, scope, text, (prefixA, scopeA, keyA, prefixB, scopeB, keyB) => {
        fc.pre(prefixA !== prefixB || scopeA !== scopeB || keyA !== keyB);
        expect(namespacedKey(prefixA, storageKey(keyA, scopeA))).not.toBe(namespacedKey(prefixB, storageKey(keyB, scopeB)));
      }),
      { numRuns: 5000 },
    );
  });

  it('a record name splits back into exactly its prefix, scope and key', () => {
    fc.assert(
      fc.property(text, scope, text, (prefix, scopeValue, key) => {
        expect(parseRecordName(namespacedKey(prefix, storageKey(key, scopeValue)))).toEqual({ prefix, scope: scopeValue, key });
      }),
      { numRuns: 5000 },
    );
  });
});

/**
 * The naming rule read backwards, as its documentation states it: since every name splits back into
 * the one triple it came from, no two triples can share a name.
 */
function parseRecordName(name: string): { prefix: string; scope: string | undefined; key: string } {
  const unescapePart = (part: string) =>
    part.replace(/%25|%3A|%u([0-9A-F]{4})/g, (match, unit: string | undefined) =>
      unit ? String.fromCharCode(Number.parseInt(unit, 16)) : match === '%25' ? '%' : ':',
    );
  const colon = name.indexOf(':');
  const prefix = unescapePart(name.slice(0, colon));
  const rest = name.slice(colon + 1);
  if (rest.startsWith('s=')) {
    const end = rest.indexOf(':');
    return { prefix, scope: unescapePart(rest.slice(2, end)), key: rest.slice(end + 1) };
  }
  if (rest.startsWith('%73')) return { prefix, scope: undefined, key: `s${rest.slice(3)}` };
  if (rest.startsWith('%25')) return { prefix, scope: undefined, key: `%${rest.slice(3)}` };
  return { prefix, scope: undefined, key: rest };
}
