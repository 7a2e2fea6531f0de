/**
 * Which response headers a record keeps. Hop-by-hop headers, `Date` and `Content-Length` describe one
 * transmission, not the response, and are never stored (the framework sets them again on replay).
 * `Set-Cookie` is dropped unless asked for: a session cookie replayed to a retry is rarely intended.
 */
const NEVER_STORED = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'date',
  'content-length',
  'idempotent-replayed',
]);

export type KeepResponseHeaders = readonly string[] | ((name: string) => boolean);

export function createHeaderFilter(keep?: KeepResponseHeaders): (name: string) => boolean {
  if (keep === undefined) return (name) => !NEVER_STORED.has(name) && name !== 'set-cookie';
  if (typeof keep === 'function') return (name) => !NEVER_STORED.has(name) && keep(name);
  const allowed = new Set(keep.map((name) => name.toLowerCase()));
  return (name) => !NEVER_STORED.has(name) && allowed.has(name);
}

export function filterHeaders(
  headers: Record<string, string | string[]>,
  keep: (name: string) => boolean,
): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  // for-in over an own-data record (no [name, value] pair allocated per header).
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue;
    const lower = name.toLowerCase();
    if (keep(lower)) kept[lower] = headers[name] as string | string[];
  }
  return kept;
}
