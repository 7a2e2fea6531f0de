/** A small real-socket client for the Express-specific tests (with a client-side timeout to hang up). */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json(): Record<string, unknown>;
}

export function request(
  baseUrl: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number } = {},
): Promise<Answer> {
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const headers = { ...options.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      new URL(options.path ?? '/payments', baseUrl),
      { method: options.method ?? 'POST', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('response aborted')));
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes, json: () => JSON.parse(bytes.toString()) });
        });
      },
    );
    if (options.timeoutMs !== undefined) req.setTimeout(options.timeoutMs, () => req.destroy(new Error('client gave up')));
    req.on('error', reject);
    req.end(body);
  });
}

export function post(baseUrl: string, key: string | undefined, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  return request(baseUrl, { headers: { ...(key === undefined ? {} : { 'idempotency-key': key }), ...headers }, body });
}

export function newKey(): string {
  return `key-${randomUUID()}`;
}
