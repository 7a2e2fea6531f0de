/**
 * The little that differs between Nest's Express and Fastify platforms: where the node:http request
 * and response are, where a kept raw body is, and how to send a response the framework's own way.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpResponse } from '@idem/core';
import { sendNodeResponse } from '@idem/core/adapter';

interface FastifyReplyLike {
  raw: ServerResponse;
  code(status: number): FastifyReplyLike;
  headers(values: Record<string, string | string[]>): FastifyReplyLike;
  send(payload: Buffer): unknown;
}

export function nodeRequest(request: object): IncomingMessage {
  return ((request as { raw?: IncomingMessage }).raw ?? request) as IncomingMessage;
}

export function nodeResponse(response: object): ServerResponse {
  return ((response as { raw?: ServerResponse }).raw ?? response) as ServerResponse;
}

/** The raw body Nest kept with `NestFactory.create(..., { rawBody: true })`, on either platform. */
export function keptRawBody(request: object): Uint8Array | undefined {
  const raw = (request as { rawBody?: unknown }).rawBody;
  return raw instanceof Uint8Array ? raw : undefined;
}

/** Sends a replay or an error: through Fastify's reply (so its hooks and logs run) or node's response. */
export function sendResponse(response: object, decided: HttpResponse): void {
  const body = Buffer.from(decided.body.buffer, decided.body.byteOffset, decided.body.byteLength);
  if (isFastifyReply(response)) {
    response.code(decided.status).headers(decided.headers).send(body);
    return;
  }
  sendNodeResponse(response as ServerResponse, decided);
}

function isFastifyReply(response: object): response is FastifyReplyLike {
  return typeof (response as { code?: unknown }).code === 'function' && (response as { raw?: unknown }).raw !== undefined;
}
