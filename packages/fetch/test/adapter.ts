/** Mounts the wrapper around the shared scenario handler, served over a real socket. */
import { listen, type ScenarioResponse, type ScenarioSetup } from '@idem/testkit';
import { idempotency, idempotencyOutcome, idempotencyTransaction } from '../src';
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
    const body = new Uint8Array(await request.arrayBuffer());
    return toResponse(
      await setup.handle({
        method: request.method,
        url: url.pathname + url.search,
        headers: headerRecord(request),
        body,
        transaction: (work, options) => idempotencyTransaction(request)(work, options),
      }),
    );
  });
  // The app's own error handling around the protected handler: a 500, or a throw the platform answers.
  return listen(
    toNodeListener(async (request) => {
      const headers = headerRecord(request);
      try {
        const response = await handler(request);
        setup.observe(headers, idempotencyOutcome(response));
        return response;
      } catch {
        if (headers['x-scenario-error-handler'] === 'throw') throw new Error('the error handler failed too');
        return new Response('internal error', { status: 500 });
      }
    }),
  );
}

function headerRecord(request: Request): Record<string, string> {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}
