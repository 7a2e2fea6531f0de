import { ConfigurationError, PayloadTooLargeError, type IdempotencyStore } from '../src';
import {
  bufferAsyncBody,
  fromWebRequest,
  guardAbandonedExecution,
  nodeRequestHeaders,
  readWebRequestBody,
  readWebResponse,
  resolveMaxBodyBytes,
  toWebResponse,
  withBodyLimit,
  type Execution,
} from '../src/adapter';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('web helpers', () => {
  it('reads a request body from a clone and leaves the original readable', async () => {
    const request = new Request('http://x/p', { method: 'POST', body: 'hello' });
    const read = await readWebRequestBody(request, 100);
    expect(read.kind === 'raw' && text(read.bytes)).toBe('hello');
    expect(await request.text()).toBe('hello');
  });

  it('stops reading a request body past the limit', async () => {
    expect((await readWebRequestBody(new Request('http://x/p', { method: 'POST', body: 'x'.repeat(50) }), 10)).kind).toBe('too-large');
  });

  it('keeps the key header as the Fetch API joined it (core parses it, the same as on node)', () => {
    const joined = new Headers();
    joined.append('idempotency-key', 'a');
    joined.append('idempotency-key', 'b');
    expect(fromWebRequest(new Request('http://x/p?q=1', { headers: joined })).headers['idempotency-key']).toBe('a, b');
    const quoted = fromWebRequest(new Request('http://x/p', { headers: { 'idempotency-key': '"a,\\"b"' } }));
    expect(quoted.headers['idempotency-key']).toBe('"a,\\"b"');
    expect(quoted.url).toBe('/p');
  });

  it('builds a Response with repeated headers, and no body for a 204', async () => {
    const response = toWebResponse({
      status: 201,
      headers: { 'set-cookie': ['a=1', 'b=2'], 'x-one': '1' },
      body: new TextEncoder().encode('ok'),
    });
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.text()).toBe('ok');
    expect(toWebResponse({ status: 204, headers: {}, body: new Uint8Array(0) }).body).toBeNull();
  });

  it('records a response past the limit by its prefix and still sends every byte', async () => {
    const source = new Response(new Blob(['x'.repeat(30), 'y'.repeat(30)]).stream(), { status: 200, headers: { 'set-cookie': 'a=1' } });
    const captured = await readWebResponse(source, 40);
    expect(captured.record.body.byteLength).toBeGreaterThan(40);
    expect(captured.record.headers['set-cookie']).toEqual(['a=1']);
    expect(await captured.response.text()).toBe('x'.repeat(30) + 'y'.repeat(30));
  });
});

describe('node and stream helpers', () => {
  it('keeps every value of a repeated key header, and only of that header', () => {
    const headers = nodeRequestHeaders(
      { headers: { 'idempotency-key': 'a, b', accept: 'x, y' }, headersDistinct: { 'idempotency-key': ['a', 'b'], accept: ['x', 'y'] } },
      'Idempotency-Key',
    );
    expect(headers).toEqual({ 'idempotency-key': ['a', 'b'], accept: 'x, y' });
  });

  it('buffers an async body whole under the limit, and yields prefix then rest past it', async () => {
    async function* chunks() {
      yield 'ab';
      yield new TextEncoder().encode('cd');
      yield 'ef';
    }
    expect(text((await bufferAsyncBody(chunks(), 10)).bytes)).toBe('abcdef');
    const over = await bufferAsyncBody(chunks(), 3);
    expect(text(over.bytes)).toBe('abcd');
    let sent = '';
    for await (const chunk of over.overflow!) sent += text(chunk);
    expect(sent).toBe('abcdef');
  });

  it('releases an abandoned execution one lease later, unless it settled first', async () => {
    const aborted: string[] = [];
    const execution = (key: string): Execution => ({
      key,
      protected: true,
      transaction: async () => undefined as never,
      finish: async () => ({ stored: true }),
      abort: async () => void aborted.push(key),
    });
    const gone = guardAbandonedExecution(execution('gone'), 20);
    gone.clientGone();
    const settled = guardAbandonedExecution(execution('settled'), 20);
    settled.clientGone();
    settled.settle();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(aborted).toEqual(['gone']);
  });
});

describe('body limit', () => {
  const store = {} as IdempotencyStore;

  it('validates maxBodyBytes', () => {
    expect(resolveMaxBodyBytes(undefined)).toBe(1024 * 1024);
    expect(() => resolveMaxBodyBytes(0)).toThrow(ConfigurationError);
  });

  it('makes the fingerprint refuse a request marked too large', async () => {
    const limit = withBodyLimit<object>({ store }, 10);
    const big = {};
    limit.markTooLarge(big);
    const fingerprint = limit.options.fingerprint as (req: object, request: { method: string; url: string; headers: object }) => unknown;
    expect(() => fingerprint(big, { method: 'POST', url: '/', headers: {} })).toThrow(PayloadTooLargeError);
    expect(typeof fingerprint({}, { method: 'POST', url: '/', headers: {} })).toBe('string');
    expect(withBodyLimit({ store, fingerprint: false }, 10).options.fingerprint).toBe(false);
  });
});
