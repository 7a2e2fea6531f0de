/** A bare HTTP client over real sockets (node:http, one connection per request) for the HTTP suite. */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';

export interface ClientRequest {
  method?: string;
  path?: string;
  /** A header given an array is sent once per value (a repeated header). */
  headers?: Record<string, string | string[] | undefined>;
  body?: Uint8Array | string;
}

export interface ClientResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body parsed as JSON (throws when it is not JSON). */
  json(): Record<string, unknown>;
}

export function sendRequest(baseUrl: string, options: ClientRequest = {}): Promise<ClientResponse> {
  const url = new URL(options.path ?? '/payments', baseUrl);
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) if (value !== undefined) headers[name] = value;
  if (body !== undefined) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes, json: () => JSON.parse(bytes.toString('utf8')) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A fresh idempotency key. */
export function newKey(): string {
  return `key-${randomUUID()}`;
}
