/**
 * node:http requests (Express, Fastify, Koa, Nest) to core's neutral request: the header map, with the
 * key header kept as every value it was sent with.
 */
import type { Headers } from './http';

/** The parts of node's `IncomingMessage` used here (structural, so core needs no node types). */
export interface NodeRequestLike {
  headers: Record<string, string | string[] | undefined>;
  headersDistinct?: Record<string, string[] | undefined>;
}

/**
 * node joins a repeated header into one string; the key header keeps every value, so core can see a
 * key sent twice and reject it instead of using "a, b" as the key.
 */
export function nodeRequestHeaders(req: NodeRequestLike, keyHeader: string): Headers {
  const name = keyHeader.toLowerCase();
  const joined = req.headers[name];
  // Only a value holding ", " can be a repeated header; `headersDistinct` (built on first access, for
  // every header) is consulted only then, and the header map is copied only when it changes.
  if (typeof joined !== 'string' || !joined.includes(',')) return req.headers;
  const distinct = req.headersDistinct?.[name];
  if (distinct === undefined || distinct.length < 2) return req.headers;
  return { ...req.headers, [name]: distinct };
}
