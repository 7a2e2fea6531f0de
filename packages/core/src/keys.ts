/**
 * Where a request's idempotency key comes from. A strategy is a function of the framework's request
 * and the neutral request; the built-ins below cover the header (default), a hash of the body, and a
 * combination of several.
 */
import { type IdempotencyError, InvalidKeyError, KeyGenerationError } from './errors';
import { sha256 } from './hash';
import { component } from './namespace';
import { headerValues, type IdempotencyRequest } from './http';
import { isThenable } from './thenable';

export const MAX_KEY_LENGTH = 255;

export type KeyStrategy<Raw = unknown> = (req: Raw, request: IdempotencyRequest) => string | undefined | Promise<string | undefined>;

/**
 * The key from a header, as the IETF draft sends it (an RFC 8941 sf-string, `"abc"`) or as Stripe
 * clients send it (a bare token). The same parse for every middleware, on node:http and on the Fetch
 * API alike: the header is one sf-item, so a comma outside quotes means several values (a header sent
 * twice arrives joined as `a, b` on the Fetch API, and node joins it too) and is rejected as ambiguous.
 * A key that holds a comma is sent quoted: `"a,b"`.
 */
export function keyFromHeader(name = 'Idempotency-Key'): KeyStrategy {
  const lower = name.toLowerCase();
  return (_req, request) => {
    const value = request.headers[lower];
    // The usual header, one plain token: no list to split and nothing to unquote.
    if (typeof value === 'string' && !value.includes(',') && !value.includes('"')) return value.trim();
    const values = headerValues(request.headers, name);
    if (values.length === 0) return undefined;
    const members = values.flatMap(splitListMembers);
    if (members.length > 1)
      throw new InvalidKeyError(`the ${name} header must hold one key, sent once (a key with a comma is sent quoted: "a,b")`);
    return parseKeyHeader(members[0] as string);
  };
}

/** Splits a header value on the commas outside quoted strings: `"a,b", c` → [`"a,b"`, `c`]. */
function splitListMembers(value: string): string[] {
  const members: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (quoted && char === '\\') i++;
    else if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) {
      members.push(value.slice(start, i));
      start = i + 1;
    }
  }
  members.push(value.slice(start));
  return members;
}

/** Unquotes an sf-string (`"a\"b"` → `a"b`); anything else is taken as the bare key. */
export function parseKeyHeader(value: string): string {
  const trimmed = value.trim();
  if (!trimmed.startsWith('"')) return trimmed;
  if (trimmed.length < 2 || !trimmed.endsWith('"')) throw new InvalidKeyError('unterminated quoted string');
  let key = '';
  for (let i = 1; i < trimmed.length - 1; i++) {
    const char = trimmed[i] as string;
    if (char === '\\') {
      const next = trimmed[++i];
      if ((next !== '"' && next !== '\\') || i >= trimmed.length - 1) throw new InvalidKeyError('bad escape in quoted string');
      key += next;
    } else if (char === '"') {
      throw new InvalidKeyError('unescaped quote in quoted string');
    } else {
      key += char;
    }
  }
  return key;
}

/**
 * A key derived from the request content (method, URL and body): identical requests are duplicates
 * even when the client sends no key. Use when clients cannot be changed.
 */
export function keyFromBody(): KeyStrategy {
  return (_req, request) => {
    const body = request.body ?? new TextEncoder().encode(JSON.stringify(request.parsedBody ?? null));
    return sha256(request.method.toUpperCase(), request.url, body);
  };
}

/**
 * The `header-or-body-hash` strategy (gopotency's `Composite`): the client's key from the header when it
 * sent one, otherwise a key derived from the request content as `keyFromBody` does, so clients that
 * cannot send a key are still deduplicated. A repeated or malformed header is still a 400: the body is
 * only the fallback for a header that is absent, never for one that is wrong.
 */
export function keyFromHeaderOrBody(name = 'Idempotency-Key'): KeyStrategy {
  const fromHeader = keyFromHeader(name);
  const fromBody = keyFromBody();
  return async (req, request) => (await fromHeader(req, request)) ?? fromBody(req, request);
}

/**
 * Joins several strategies' keys with `:`, each part escaped as a scope is (`%` → `%25`, `:` → `%3A`, a lone
 * surrogate → `%uD800`), so two different lists of parts never make one key; the request has no key
 * unless every part has one.
 */
export function compositeKey<Raw>(...parts: Array<KeyStrategy<Raw>>): KeyStrategy<Raw> {
  if (parts.length === 0) throw new TypeError('compositeKey needs at least one strategy');
  return async (req, request) => {
    const values: string[] = [];
    for (const part of parts) {
      const value = await part(req, request);
      if (value === undefined) return undefined;
      values.push(component(value));
    }
    return values.join(':');
  };
}

/** Runs a strategy, turning anything but an IdempotencyError it throws into KeyGenerationError. */
export async function generateKey<Raw>(strategy: KeyStrategy<Raw>, req: Raw, request: IdempotencyRequest): Promise<string | undefined> {
  return deriveKey(strategy, req, request);
}

/**
 * `generateKey`, answering synchronously when the strategy does (the header strategies all do): a first
 * execution then spends no await on it, and on Node 20 each await allocates hundreds of bytes. A throw,
 * synchronous or not, is the same KeyGenerationError (or the strategy's own InvalidKeyError).
 */
export function deriveKey<Raw>(
  strategy: KeyStrategy<Raw>,
  req: Raw,
  request: IdempotencyRequest,
): string | undefined | Promise<string | undefined> {
  let key: unknown;
  try {
    key = strategy(req, request);
  } catch (error) {
    throw keyError(error);
  }
  if (isThenable(key)) {
    return Promise.resolve(key).then(checkedKey, (error: unknown) => {
      throw keyError(error);
    });
  }
  return checkedKey(key);
}

function checkedKey(key: unknown): string | undefined {
  if (key !== undefined && typeof key !== 'string') throw keyError(new TypeError(`got ${typeof key}`));
  return key;
}

function keyError(error: unknown): IdempotencyError {
  if (error instanceof InvalidKeyError) return error;
  return new KeyGenerationError(`Could not derive the idempotency key: ${(error as Error)?.message ?? error}`, { cause: error });
}

export type KeyValidator = (key: string) => boolean | string;

/** Throws InvalidKeyError unless the key is 1–255 characters with no control characters. */
export function validateKey(key: string, custom?: KeyValidator): void {
  if (key.length === 0) throw new InvalidKeyError('the key is empty');
  if (key.length > MAX_KEY_LENGTH) throw new InvalidKeyError(`the key is longer than ${MAX_KEY_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) throw new InvalidKeyError('the key contains control characters');
  if (custom) {
    const verdict = custom(key);
    if (verdict !== true) throw new InvalidKeyError(typeof verdict === 'string' ? verdict : 'rejected by validateKey');
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A `validateKey` that accepts only UUIDs (36 characters, `8-4-4-4-12` hex digits, any version, either
 * case), as Fiber's idempotency middleware expects by default and most client libraries generate.
 */
export const uuidKey: KeyValidator = (key) => UUID.test(key) || 'the key must be a UUID (8-4-4-4-12 hex digits)';
