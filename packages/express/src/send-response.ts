/** Writes a response core decided on (a replay or a problem+json error) to the client. */
import type { ServerResponse } from 'node:http';
import type { HttpResponse } from '@idem/core';

export function sendResponse(res: ServerResponse, response: HttpResponse): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  res.end(Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength));
}
