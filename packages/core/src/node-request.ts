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
  const headers: Headers = { ...req.headers };
  const name = keyHeader.toLowerCase();
  const distinct = req.headersDistinct?.[name];
  if (distinct !== undefined && distinct.length > 1) headers[name] = distinct;
  return headers;
}
