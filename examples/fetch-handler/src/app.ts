/**
 * What Next.js (or Bun.serve / Deno.serve) does for us: turn a request into a call of the right route
 * handler. Here a one-route table, served on Node by any Fetch-to-node:http adapter.
 */
import * as payments from './app/payments/route';

export async function handle(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname !== '/payments') return new Response('Not Found', { status: 404 });
  if (request.method !== 'POST') return new Response('Method Not Allowed', { status: 405, headers: { allow: 'POST' } });
  return payments.POST(request);
}
