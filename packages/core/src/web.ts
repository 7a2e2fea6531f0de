/**
 * Web-standard `Request` / `Response` to and from core's neutral shapes, for every middleware that runs
 * on the Fetch API (the fetch wrapper, Hono, ...): Node, Bun, Deno and Workers alike.
 */
import { readUpTo } from './bytes';
import type { HttpResponse, IdempotencyRequest } from './http';

export type WebBodyRead = { kind: 'raw'; bytes: Uint8Array } | { kind: 'too-large' } | { kind: 'aborted' };

/**
 * Reads a request body for the fingerprint from a clone, so the original stays readable for the
 * handler. Stops at `limit` bytes (the rest is never buffered for the fingerprint).
 */
export async function readWebRequestBody(request: Request, limit: number): Promise<WebBodyRead> {
  if (request.body === null) return { kind: 'raw', bytes: new Uint8Array(0) };
  const reader = request.clone().body!.getReader();
  try {
    const { bytes, overflowed } = await readUpTo(() => reader.read(), limit);
    if (!overflowed) return { kind: 'raw', bytes };
    void reader.cancel().catch(() => undefined);
    return { kind: 'too-large' };
  } catch {
    // The client went away mid-body: nobody is left to answer.
    return { kind: 'aborted' };
  }
}

export interface WebRequestParts {
  /** The exact body bytes, when read. */
  body?: Uint8Array;
  /** The body a parser already produced, when the raw bytes are gone. */
  parsedBody?: unknown;
  /** The framework's own request object handed to user callbacks; default the `Request`. */
  raw?: unknown;
}

/** Converts a Web `Request` into core's neutral request. */
export function fromWebRequest(request: Request, parts: WebRequestParts = {}): IdempotencyRequest {
  const headers: Record<string, string | string[]> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const url = new URL(request.url);
  return {
    method: request.method,
    url: url.pathname + url.search,
    headers,
    ...(parts.body !== undefined ? { body: parts.body } : {}),
    ...(parts.parsedBody !== undefined ? { parsedBody: parts.parsedBody } : {}),
    raw: parts.raw ?? request,
  };
}

/** Builds a Web `Response` from a response core decided on (a replay or a problem+json error). */
export function toWebResponse(response: HttpResponse): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return new Response(NULL_BODY_STATUSES.has(response.status) ? null : (response.body as BodyInit), { status: response.status, headers });
}

/** A Web response's headers as core stores them: lower-case names, `Set-Cookie` as an array. */
export function webResponseHeaders(headers: Headers): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  headers.forEach((value, name) => {
    if (name !== 'set-cookie') result[name] = value;
  });
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) result['set-cookie'] = cookies;
  return result;
}

export interface CapturedWebResponse {
  /**
   * What to hand to `execution.finish()`: the whole response, or — when the body outgrew the limit —
   * its first bytes, which core records as "processed, response not stored".
   */
  record: HttpResponse;
  /** The response to send once `finish()` resolved: the same status, headers and bytes. */
  response: Response;
}

/**
 * Buffers a handler's response body up to `limit` bytes (core's `maxResponseBytes`) so the record can
 * be committed before the client sees a byte. A larger body is not buffered whole: the prefix read so
 * far is recorded and the rest streams to the client after it, so memory stays bounded.
 */
export async function readWebResponse(response: Response, limit: number): Promise<CapturedWebResponse> {
  const init = { status: response.status, statusText: response.statusText, headers: new Headers(response.headers) };
  const headers = webResponseHeaders(response.headers);
  if (response.body === null) {
    return { record: { status: response.status, headers, body: new Uint8Array(0) }, response: new Response(null, init) };
  }
  const reader = response.body.getReader();
  const { bytes, overflowed } = await readUpTo(() => reader.read(), limit);
  const record = { status: response.status, headers, body: bytes };
  return { record, response: new Response(overflowed ? prefixedStream(bytes, reader) : (bytes as BodyInit), init) };
}

/** The bytes already read, then whatever the reader still yields. */
function prefixedStream(prefix: Uint8Array, reader: ReadableStreamDefaultReader<Uint8Array>): ReadableStream<Uint8Array> {
  let sentPrefix = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!sentPrefix) {
        sentPrefix = true;
        controller.enqueue(prefix);
        return;
      }
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
