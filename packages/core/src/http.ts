/** The framework-neutral request and response every middleware converts to and from. */

export type HeaderValue = string | string[] | undefined;

/** Header names are lower case. Repeated headers are arrays. */
export type Headers = Record<string, HeaderValue>;

export interface IdempotencyRequest {
  method: string;
  /** Path and query string as received, e.g. `/payments?expand=charge`. */
  url: string;
  headers: Headers;
  /** The exact request body bytes when the middleware has them. */
  body?: Uint8Array;
  /** The body a parser already produced, used when the raw bytes are gone (e.g. after express.json()). */
  parsedBody?: unknown;
  /** The framework's own request object, handed to user callbacks (`scope`, `skip`, `key`, ...). */
  raw?: unknown;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; a header sent several times (Set-Cookie) is an array. */
  headers: Record<string, string | string[]>;
  body: Uint8Array;
}

/** Reads a header from a neutral header map, whatever the case of the name given. */
export function headerValues(headers: Headers, name: string): string[] {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
