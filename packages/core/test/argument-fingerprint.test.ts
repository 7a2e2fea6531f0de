import { MemoryStore } from '@idem/memory';
import { ConfigurationError, idempotent, RequestMismatchError } from '../src';
import { argumentFingerprint } from '../src/argument-fingerprint';
import { canonicalJson } from '../src/canonical-json';
import { sha256 } from '../src/hash';

const store = new MemoryStore();
afterAll(() => store.close());
let n = 0;
const uniqueKey = () => `call-${++n}-${Date.now()}`;

describe('idempotent() fingerprints every argument faithfully', () => {
  it('a BigInt amount that differs is a mismatch, never a silent replay', async () => {
    const key = uniqueKey();
    let runs = 0;
    const charge = idempotent(async (_id: string, amount: bigint) => `charged ${amount} (run ${++runs})`, { store, key: (id) => id });
    expect(await charge(key, 100n)).toBe('charged 100 (run 1)');
    expect(await charge(key, 100n)).toBe('charged 100 (run 1)');
    await expect(charge(key, 200n)).rejects.toBeInstanceOf(RequestMismatchError);
    expect(runs).toBe(1);
  });

  it.each([
    ['a Date', new Date(1_000), new Date(2_000)],
    ['a Map', new Map([['amount', 1]]), new Map([['amount', 2]])],
    ['a Set', new Set(['a']), new Set(['b'])],
    ['bytes', new Uint8Array([1]), new Uint8Array([2])],
    ['NaN against null', Number.NaN, null],
    ['Infinity against null', Number.POSITIVE_INFINITY, null],
    ['undefined against null', undefined, null],
    ['a BigInt against its string', 5n, '5'],
    ['a BigInt against a look-alike object', 5n, { $bigint: '5' }],
    ['an object with toJSON (a decimal type)', { toJSON: () => '10.00' }, { toJSON: () => '10.01' }],
  ])('%s that differs is another call', (_label, a, b) => {
    expect(argumentFingerprint([{ order: a }])).not.toBe(argumentFingerprint([{ order: b }]));
  });

  it('equal values give equal fingerprints (object key order, Map and Set order do not matter)', () => {
    expect(argumentFingerprint([{ a: 1, b: 2n }])).toBe(argumentFingerprint([{ b: 2n, a: 1 }]));
    expect(
      argumentFingerprint([
        new Map([
          ['x', 1],
          ['y', 2],
        ]),
      ]),
    ).toBe(
      argumentFingerprint([
        new Map([
          ['y', 2],
          ['x', 1],
        ]),
      ]),
    );
    expect(argumentFingerprint([new Set([1, 2])])).toBe(argumentFingerprint([new Set([2, 1])]));
    expect(argumentFingerprint([new Date(5)])).toBe(argumentFingerprint([new Date(5)]));
    expect(argumentFingerprint([Buffer.from('ab')])).toBe(argumentFingerprint([new Uint8Array([97, 98])]));
  });

  it('plain JSON arguments keep the canonical-JSON fingerprint they always had', () => {
    const args = [{ id: 'evt_1', amount: 500, tags: ['a'], note: null, skipped: undefined }, 'EUR'];
    expect(argumentFingerprint(args)).toBe(sha256(canonicalJson(args)));
  });

  it.each([
    ['a function', () => undefined, 'a function'],
    ['a symbol', Symbol('x'), 'a symbol'],
    [
      'a class instance without toJSON',
      new (class Card {
        readonly last4 = '4242';
      })(),
      'a Card',
    ],
    [
      'a cycle',
      (() => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      })(),
      'a cycle',
    ],
  ])('refuses %s with a ConfigurationError asking for a `fingerprint` option', async (_label, value, what) => {
    expect(() => argumentFingerprint([{ card: value }])).toThrow(ConfigurationError);
    expect(() => argumentFingerprint([{ card: value }])).toThrow(new RegExp(`args\\[0\\]\\.card.*${what}.*\`fingerprint\``));
    let runs = 0;
    const charge = idempotent(async (_arg: unknown) => ++runs, { store, key: () => uniqueKey() });
    await expect(charge({ card: value })).rejects.toBeInstanceOf(ConfigurationError);
    expect(runs).toBe(0);
  });
});
