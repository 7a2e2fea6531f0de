/**
 * The default fingerprint of `idempotent()`: a SHA-256 of the call's arguments that tells apart every
 * two calls a payment could tell apart. JSON alone cannot: it throws on a BigInt, turns NaN and
 * Infinity into null, and encodes a Date, Map or Set as `{}`, so a different amount would replay the
 * first call's result silently.
 *
 * - Arguments that are plain JSON (strings, finite numbers, booleans, null, arrays, plain objects)
 *   keep their canonical-JSON fingerprint, so records written before stay matched.
 * - Anything else is encoded with a type tag per value, injectively: BigInt, undefined, NaN/±Infinity,
 *   Date, Map, Set (both order-independent), byte arrays, and objects with `toJSON` (decimal and money
 *   types), under a prefix no canonical-JSON text starts with.
 * - A value with no faithful encoding (a function, a symbol, a cycle, a class instance without
 *   `toJSON`, whose private state is invisible) throws ConfigurationError asking for a `fingerprint`.
 */
import { ConfigurationError } from './errors';
import { canonicalJson } from './canonical-json';
import { sha256 } from './hash';

/** Canonical JSON of the arguments always starts with '[': this prefix keeps the two encodings apart. */
const TAGGED_PREFIX = 'idem-args-v1:';

export function argumentFingerprint(args: readonly unknown[]): string {
  const state = { json: true, ancestors: new Set<object>() };
  const tagged = encode(args, 'args', state);
  return state.json ? sha256(canonicalJson(args)) : sha256(TAGGED_PREFIX + tagged);
}

interface EncodeState {
  /** Stays true while every value met so far survives canonical JSON unchanged. */
  json: boolean;
  /** The objects being encoded around the current value: meeting one again is a cycle. */
  ancestors: Set<object>;
}

function encode(value: unknown, path: string, state: EncodeState): string {
  switch (typeof value) {
    case 'string':
      return `s${JSON.stringify(value)}`;
    case 'boolean':
      return value ? 't' : 'f';
    case 'number':
      if (!Number.isFinite(value)) state.json = false;
      return `d${Object.is(value, -0) ? '0' : String(value)}`;
    case 'bigint':
      state.json = false;
      return `b${value.toString()}`;
    case 'undefined':
      state.json = false;
      return 'u';
    case 'function':
      return refuse(path, 'a function');
    case 'symbol':
      return refuse(path, 'a symbol');
  }
  if (value === null) return 'n';
  const object = value as object;
  if (state.ancestors.has(object)) return refuse(path, 'a cycle');
  state.ancestors.add(object);
  try {
    return encodeObject(object, path, state);
  } finally {
    state.ancestors.delete(object);
  }
}

function encodeObject(value: object, path: string, state: EncodeState): string {
  if (Array.isArray(value)) {
    const items: string[] = [];
    for (let i = 0; i < value.length; i++) items.push(encode(value[i], `${path}[${i}]`, state));
    return `a[${items.join(',')}]`;
  }
  if (isPlainObject(value)) {
    const record = value as Record<string, unknown>;
    const entries = Object.keys(record)
      .filter((name) => record[name] !== undefined) // absent, as in JSON
      .sort()
      .map((name) => `${JSON.stringify(name)}:${encode(record[name], `${path}.${name}`, state)}`);
    return `o{${entries.join(',')}}`;
  }
  state.json = false;
  // Built-in types by their tag, not instanceof: a value from another realm (a vm context, a worker) counts too.
  const tag = Object.prototype.toString.call(value);
  if (tag === '[object Date]') return `D${(value as Date).getTime()}`;
  if (tag === '[object Map]') {
    const entries = [...(value as Map<unknown, unknown>)].map(
      ([key, item], i) => `${encode(key, `${path}<key ${i}>`, state)}=>${encode(item, `${path}<value ${i}>`, state)}`,
    );
    return `M{${entries.sort().join(',')}}`;
  }
  if (tag === '[object Set]')
    return `S{${[...(value as Set<unknown>)]
      .map((item, i) => encode(item, `${path}<item ${i}>`, state))
      .sort()
      .join(',')}}`;
  if (tag === '[object ArrayBuffer]') return `X${Buffer.from(value as ArrayBuffer).toString('hex')}`;
  if (ArrayBuffer.isView(value)) {
    // A Buffer is a Uint8Array: the same bytes are the same argument.
    return `B${tag}:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  }
  // Decimal, money and id types say what they are through toJSON, as JSON.stringify would use it.
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return `j${encode(toJSON.call(value, ''), path, state)}`;
  return refuse(path, `a ${(value as { constructor?: { name?: string } }).constructor?.name || 'class instance'} without toJSON`);
}

/** `{}` or `Object.create(null)`, from any realm; a plain object's own `toJSON` makes it a typed value. */
function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as object | null;
  const plain =
    prototype === null || (Object.getPrototypeOf(prototype) === null && Object.prototype.toString.call(value) === '[object Object]');
  return plain && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

function refuse(path: string, what: string): never {
  throw new ConfigurationError(
    `idempotent() cannot fingerprint ${path}: it is ${what}, which has no faithful encoding. Pass a \`fingerprint\` option that names what identifies the call, e.g. fingerprint: (order) => \`\${order.id}:\${order.amount}\``,
  );
}
