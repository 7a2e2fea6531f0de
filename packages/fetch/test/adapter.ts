/** Mounts the wrapper around the shared scenario handler, served over a real socket. */
import { listen, type ScenarioResponse, type ScenarioSetup } from '@idem/testkit';
import { idempotency, idempotencyTransaction } from '../src';
import { toNodeListener } from './node-bridge';

export function toResponse(response: ScenarioResponse): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return new Response(response.body as BodyInit, { status: response.status, headers });
}

export async function fetchAdapter(setup: ScenarioSetup) {
  const protect = idempotency(setup.options);
  const handler = protect(async (request: Request) => {
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    const body = new Uint8Array(await request.arrayBuffer());
    return toResponse(await setup.handle({ method: request.method, url: url.pathname + url.search, headers, body, transaction: (work, options) => idempotencyTransaction(request)(work, options) }));
  });
  return listen(toNodeListener(handler));
}
