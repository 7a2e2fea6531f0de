/**
 * How a record is named in a store: readable by hand, and one-to-one, so no two (prefix, scope, key)
 * triples ever share a record.
 *
 * - `storageKey(key, scope)` is what core hands a store: `k1` with no scope, `s=tenant-1:k1` with scope
 *   `tenant-1`, `s=:k1` with the empty scope (a namespace of its own, not "no scope").
 * - `namespacedKey(prefix, storageKey)` is what the store keys its record by: `idem:k1`,
 *   `idem:s=tenant-1:k1`.
 *
 * Escaping: a prefix and a scope end at their first `:`, so inside them `%` is written `%25`, `:` is
 * `%3A` and a lone surrogate is `%u` and its four hex digits (`%uD800`): any string, never a throw. The
 * client's key comes last and is written as it is, except that a key with no scope starting with `s=`
 * or `%` has its first character escaped (`%73=…`, `%25…`), so it can never read as a scope.
 */
import { sha256 } from './hash';

const IN_COMPONENT = /[%:]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A prefix, scope or key part, escaped so it holds no `:` and no lone surrogate (never throws, unlike encodeURIComponent). */
export function component(text: string): string {
  return text.replace(IN_COMPONENT, (unit) => {
    if (unit === '%') return '%25';
    if (unit === ':') return '%3A';
    return `%u${unit.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  });
}

/** The key a store sees for a client's key in a scope; with `hashKeys`, its SHA-256 instead. */
export function storageKey(key: string, scope: string | undefined, hashKeys = false): string {
  const joined = scope === undefined ? unscopedKey(key) : `s=${component(scope)}:${key}`;
  return hashKeys ? sha256(joined) : joined;
}

function unscopedKey(key: string): string {
  if (key.startsWith('s=')) return `%73${key.slice(1)}`;
  if (key.startsWith('%')) return `%25${key.slice(1)}`;
  return key;
}

let lastPrefix: string | undefined;
let lastEscapedPrefix = '';

/** The name a store keeps a record under: its prefix, then the storage key core handed it. */
export function namespacedKey(prefix: string, storageKey: string): string {
  // A store calls this with its one prefix on every operation: escape it once, not once per call.
  if (prefix !== lastPrefix) {
    lastEscapedPrefix = component(prefix);
    lastPrefix = prefix;
  }
  return `${lastEscapedPrefix}:${storageKey}`;
}

/** The prefix every store uses unless told otherwise: records read `idem:…`. */
export const DEFAULT_PREFIX = 'idem';
