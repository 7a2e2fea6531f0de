/** A Web `Response` (what a Hono or fetch `errorHandler` may return) as core's neutral response. */
import type { HttpResponse } from './http';
import { webResponseHeaders } from './web';

export function isWebResponse(value: unknown): value is Response {
  return typeof Response !== 'undefined' && value instanceof Response;
}

export async function fromWebResponse(response: Response): Promise<HttpResponse> {
  return { status: response.status, headers: webResponseHeaders(response.headers), body: new Uint8Array(await response.arrayBuffer()) };
}
