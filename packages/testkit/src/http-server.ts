/** Starts a node:http server on a free local port for a scenario group, and stops it completely. */
import { createServer, Server, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScenarioServer {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  url: string;
  close(): Promise<void>;
}

/** Listens with a request listener (an Express/Connect app, Koa's `app.callback()`, ...) or a server. */
export async function listen(handler: RequestListener | Server): Promise<ScenarioServer> {
  const server = handler instanceof Server ? handler : createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Reads a request header from a framework's request object (node / Express / Fastify / Koa / Web / Hono). */
export function readRequestHeader(raw: unknown, name: string): string | undefined {
  const lower = name.toLowerCase();
  const holder = raw as { req?: { raw?: unknown }; request?: unknown; raw?: unknown } | undefined;
  for (const candidate of [raw, holder?.request, holder?.req, holder?.req?.raw, holder?.raw]) {
    const headers = (candidate as { headers?: unknown } | undefined)?.headers;
    if (headers === undefined || headers === null) continue;
    if (typeof (headers as { get?: unknown }).get === 'function')
      return (headers as { get(n: string): string | null }).get(lower) ?? undefined;
    const value = (headers as Record<string, unknown>)[lower];
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value[0] as string | undefined;
  }
  return undefined;
}
