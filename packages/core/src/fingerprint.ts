/**
 * The request fingerprint: what makes a retry "the same request". By default the method, URL and exact
 * body bytes; with `json: true` the body is compared as JSON (key order and whitespace ignored), and
 * `pick`/`omit` choose which top-level fields count. A custom function replaces all of it.
 */
import { canonicalJson } from './canonical-json';
import { sha256 } from './hash';
import type { IdempotencyRequest } from './http';

export interface FingerprintOptions {
  /** Compare JSON bodies by content, not bytes. Implied by `pick` / `omit`. */
  json?: boolean;
  /** Only these top-level body fields count. */
  pick?: string[];
  /** These top-level body fields do not count (timestamps, client-side nonces). */
  omit?: string[];
  /** Whether the method and URL count (default true). */
  includeUrl?: boolean;
  /** Replace SHA-256 with your own hash of the prepared input. */
  hash?: (input: string) => string;
}

export type FingerprintFunction<Raw = unknown> = (req: Raw, request: IdempotencyRequest) => string | Promise<string>;

export type FingerprintSetting<Raw = unknown> = false | FingerprintOptions | FingerprintFunction<Raw>;

const decoder = new TextDecoder();

export function createFingerprinter<Raw>(setting: FingerprintSetting<Raw> | undefined): FingerprintFunction<Raw> {
  if (setting === false) return () => '';
  if (typeof setting === 'function') return setting;
  const options = setting ?? {};
  const asJson = options.json || options.pick !== undefined || options.omit !== undefined;
  const includeUrl = options.includeUrl ?? true;
  const target = includeUrl ? (r: IdempotencyRequest) => `${r.method.toUpperCase()} ${r.url}` : () => '';
  return (_req, request) => {
    const prefix = target(request);
    const body = asJson || request.body === undefined ? jsonBody(request, options) : request.body;
    if (options.hash) return options.hash(`${prefix}\n${typeof body === 'string' ? body : decoder.decode(body)}`);
    return sha256(prefix, body);
  };
}

/** The body as canonical JSON; raw bytes that are not JSON are compared as they are. */
function jsonBody(request: IdempotencyRequest, options: FingerprintOptions): string | Uint8Array {
  let value: unknown = request.parsedBody;
  if (request.body !== undefined) {
    if (request.body.length === 0) return '';
    try {
      value = JSON.parse(decoder.decode(request.body));
    } catch {
      return request.body;
    }
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    value = selectFields(value as Record<string, unknown>, options);
  }
  return canonicalJson(value);
}

function selectFields(body: Record<string, unknown>, options: FingerprintOptions): Record<string, unknown> {
  const picked = options.pick ? Object.fromEntries(options.pick.filter((f) => f in body).map((f) => [f, body[f]])) : { ...body };
  for (const field of options.omit ?? []) delete picked[field];
  return picked;
}
