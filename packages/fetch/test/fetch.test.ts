import { randomUUID } from 'node:crypto';
import { ConfigurationError } from '@idem/core';
import { MemoryStore } from '@idem/memory';
import { idempotency, isReplayed, wasStored } from '../src';

const store = new MemoryStore();
afterAll(() => store.close());

const post = (key: string | undefined, body: BodyInit | null = '{"amount":100}', path = '/payments') =>
  new Request(`http://localhost${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body,
  });

/** A route handler counting its runs, answering 201 with the run number. */
function counted() {
  let runs = 0;
  const handler = async (request: Request) => {
    runs++;
    const body = await request.text();
    return Response.json({ run: runs, received: body }, { status: 201, headers: { 'x-run': String(runs) } });
  };
  return { handler, runs: () => runs };
}

describe('@idem/fetch', () => {
  it('gives the handler the whole request body although the fingerprint read it', async () => {
    const { handler } = counted();
    const route = idempotency({ store })(handler);
    const response = await route(post(randomUUID(), '{"amount":4200}'));
    expect(await response.json()).toEqual({ run: 1, received: '{"amount":4200}' });
  });

  it('exposes the outcome: wasStored on the first answer, isReplayed on the retry', async () => {
    const { handler, runs } = counted();
    const route = idempotency({ store })(handler);
    const key = randomUUID();
    const first = await route(post(key));
    expect(wasStored(first)).toBe(true);
    expect(isReplayed(first)).toBe(false);
    const retry = await route(post(key));
    expect(isReplayed(retry)).toBe(true);
    expect(wasStored(retry)).toBe(false);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.text()).toBe(await first.text());
    expect(runs()).toBe(1);
  });

  it('reports a response that was not stored (5xx) and a request passed through', async () => {
    const route = idempotency({ store })(async () => new Response('down', { status: 503 }));
    const failed = await route(post(randomUUID()));
    expect(failed.status).toBe(503);
    expect(wasStored(failed)).toBe(false);
    const unprotected = await route(post(undefined));
    expect(wasStored(unprotected)).toBe(false);
    expect(isReplayed(unprotected)).toBe(false);
  });

  it("passes the route handler's extra arguments (Next.js `{ params }`) through", async () => {
    const seen: unknown[] = [];
    const route = idempotency({ store })(async (_request: Request, context: { params: Promise<{ id: string }> }) => {
      seen.push((await context.params).id);
      return new Response('ok', { status: 201 });
    });
    await route(post(randomUUID()), { params: Promise.resolve({ id: 'pay_1' }) });
    expect(seen).toEqual(['pay_1']);
  });

  it('rethrows what the handler throws and releases the key: a retry runs again', async () => {
    let runs = 0;
    const route = idempotency({ store })(async () => {
      runs++;
      if (runs === 1) throw new Error('card declined by a flaky upstream');
      return new Response('charged', { status: 201 });
    });
    const key = randomUUID();
    await expect(route(post(key))).rejects.toThrow('flaky upstream');
    const retry = await route(post(key));
    expect(retry.status).toBe(201);
    expect(await retry.text()).toBe('charged');
    expect(runs).toBe(2);
  });

  it('releases the key when the response body stream fails midway', async () => {
    let runs = 0;
    const route = idempotency({ store })(async () => {
      runs++;
      const failing = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('partial'));
          controller.error(new Error('stream broke'));
        },
      });
      return new Response(runs === 1 ? failing : 'whole', { status: 201 });
    });
    const key = randomUUID();
    await expect(route(post(key))).rejects.toThrow('stream broke');
    expect(await (await route(post(key))).text()).toBe('whole');
  });

  describe('streamed responses and maxResponseBytes', () => {
    const chunked = (parts: string[]) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
          controller.close();
        },
      });

    it('buffers a streamed response under the limit and replays it byte for byte', async () => {
      const route = idempotency({ store, maxResponseBytes: 1024 })(async () => new Response(chunked(['{"a":', '1', '}']), { status: 201 }));
      const key = randomUUID();
      expect(await (await route(post(key))).text()).toBe('{"a":1}');
      const retry = await route(post(key));
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(await retry.text()).toBe('{"a":1}');
    });

    it('streams a response past the limit whole to the first client; a retry gets 409 RESPONSE_NOT_STORED', async () => {
      let runs = 0;
      const parts = Array.from({ length: 50 }, (_, i) => `chunk-${i}-${'x'.repeat(100)}\n`);
      const route = idempotency({ store, maxResponseBytes: 1024 })(async () => {
        runs++;
        return new Response(chunked(parts), { status: 200, headers: { 'content-type': 'text/plain' } });
      });
      const key = randomUUID();
      const first = await route(post(key));
      expect(wasStored(first)).toBe(false);
      expect(first.headers.get('content-type')).toBe('text/plain');
      expect(await first.text()).toBe(parts.join(''));
      const retry = await route(post(key));
      expect(retry.status).toBe(409);
      expect((await retry.json()).code).toBe('RESPONSE_NOT_STORED');
      expect(runs).toBe(1);
    });
  });

  describe('maxBodyBytes', () => {
    it('answers 413 PAYLOAD_TOO_LARGE to a protected request with a larger body, handler not run', async () => {
      const { handler, runs } = counted();
      const route = idempotency({ store, maxBodyBytes: 16 })(handler);
      const response = await route(post(randomUUID(), JSON.stringify({ note: 'x'.repeat(100) })));
      expect(response.status).toBe(413);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect((await response.json()).code).toBe('PAYLOAD_TOO_LARGE');
      expect(runs()).toBe(0);
    });

    it('passes an unprotected request with a larger body through, body intact', async () => {
      const { handler } = counted();
      const route = idempotency({ store, maxBodyBytes: 16 })(handler);
      const big = JSON.stringify({ note: 'x'.repeat(100) });
      const response = await route(post(undefined, big));
      expect((await response.json()).received).toBe(big);
    });

    it('protects a larger body as usual with fingerprint: false', async () => {
      const { handler, runs } = counted();
      const route = idempotency({ store, maxBodyBytes: 16, fingerprint: false })(handler);
      const key = randomUUID();
      const big = JSON.stringify({ note: 'x'.repeat(100) });
      await route(post(key, big));
      const retry = await route(post(key, big));
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(runs()).toBe(1);
    });
  });

  it('accepts a quoted key holding a comma, but not a key sent twice (joined with a comma)', async () => {
    const { handler } = counted();
    const route = idempotency({ store })(handler);
    const quoted = new Request('http://localhost/payments', {
      method: 'POST',
      headers: { 'idempotency-key': `"${randomUUID()},part"` },
      body: '{}',
    });
    expect((await route(quoted)).status).toBe(201);
    const twice = new Headers();
    twice.append('idempotency-key', 'first');
    twice.append('idempotency-key', 'second');
    const response = await route(new Request('http://localhost/payments', { method: 'POST', headers: twice, body: '{}' }));
    expect(response.status).toBe(400);
    expect((await response.json()).code).toBe('INVALID_KEY');
  });

  it('replays a 204 with no body', async () => {
    const route = idempotency({ store })(async () => new Response(null, { status: 204, headers: { 'x-deleted': 'pay_1' } }));
    const key = randomUUID();
    await route(new Request('http://localhost/payments/1', { method: 'DELETE', headers: { 'idempotency-key': key } }));
    const retry = await route(new Request('http://localhost/payments/1', { method: 'DELETE', headers: { 'idempotency-key': key } }));
    expect(retry.status).toBe(204);
    expect(retry.headers.get('x-deleted')).toBe('pay_1');
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  it('checks its options when called', () => {
    expect(() => idempotency({ store, maxBodyBytes: 0 })).toThrow(ConfigurationError);
    expect(() => idempotency({ store, maxBodyBytes: 1.5 })).toThrow('`maxBodyBytes` must be a positive whole number of bytes');
    expect(() => idempotency({ store, colour: 'red' } as never)).toThrow('Unknown idem option `colour`');
  });
});
