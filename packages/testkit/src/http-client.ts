/** A bare HTTP client over real sockets (node:http, one connection per request) for the HTTP suite. */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';

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

/**
 * Sends the head of a POST announcing `declared` body bytes, a few of them, then hangs up: a client
 * that leaves mid-body. Resolves once the socket is gone.
 */
export function leaveMidBody(
  baseUrl: string,
  headers: Record<string, string>,
  { path = '/payments', declared = 1000 } = {},
): Promise<void> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      const lines = Object.entries({
        host: `${hostname}:${port}`,
        'content-type': 'application/octet-stream',
        ...headers,
        'content-length': String(declared),
      });
      socket.write(`POST ${path} HTTP/1.1\r\n${lines.map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\n`);
      socket.write('x'.repeat(Math.min(10, declared - 1)));
      setTimeout(() => socket.destroy(), 50);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}

/**
 * Sends a whole request, then hangs up once `gone()` is true (the handler started, say) without
 * reading the answer: a client that leaves mid-handler. Resolves once the socket is gone.
 */
export function leaveMidHandler(baseUrl: string, options: ClientRequest, gone: () => boolean): Promise<void> {
  const url = new URL(options.path ?? '/payments', baseUrl);
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) if (value !== undefined) headers[name] = value;
  if (body !== undefined) headers['content-length'] = String(body.length);
  return new Promise((resolve) => {
    const req = httpRequest(url, { method: options.method ?? 'POST', headers, agent: false });
    req.on('error', () => undefined);
    req.on('close', () => resolve());
    req.end(body);
    const poll = setInterval(() => {
      if (!gone()) return;
      clearInterval(poll);
      req.destroy();
    }, 5);
  });
}
