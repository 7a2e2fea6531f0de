/**
 * captureNodeResponse on a real node:http server: when `commit` resolves a replacement (a rolled-back
 * handler's answer must not go out), the client gets exactly the replacement, none of the handler's
 * status, headers or bytes, and whatever the handler still writes is swallowed, its callbacks called.
 */
import { createServer, request, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { captureNodeResponse } from '../src/adapter';
import type { HttpResponse } from '../src';

const replacement: HttpResponse = {
  status: 409,
  headers: { 'content-type': 'application/problem+json', 'retry-after': '1' },
  body: new TextEncoder().encode('{"code":"LEASE_LOST"}'),
};

async function serve(handler: (res: ServerResponse) => void): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const server = createServer((_req, res) => handler(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await new Promise((resolve, reject) => {
      const req = request({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', method: 'POST', agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('captureNodeResponse with a replacement answer', () => {
  it('sends the replacement instead of a whole buffered response', async () => {
    let committed: HttpResponse | undefined;
    const answer = await serve((res) => {
      captureNodeResponse(res, 1024, {
        commit: async (response) => {
          committed = response;
          return replacement;
        },
      });
      res.statusCode = 201;
      res.setHeader('x-handler', 'yes');
      res.setHeader('content-length', '7');
      res.end('created');
    });
    expect(Buffer.from(committed!.body).toString()).toBe('created');
    expect(answer.status).toBe(409);
    expect(answer.body).toBe('{"code":"LEASE_LOST"}');
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.headers['x-handler']).toBeUndefined();
  });

  it('past the limit: sends the replacement and swallows the handler’s later writes, calling their callbacks', async () => {
    const callbacks: string[] = [];
    const errors: unknown[] = [];
    const answer = await serve((res) => {
      res.on('error', (error) => errors.push(error));
      captureNodeResponse(res, 8, { commit: async () => replacement });
      res.statusCode = 200;
      res.setHeader('x-handler', 'yes');
      res.write('more than eight bytes');
      setTimeout(() => {
        res.write('later', () => callbacks.push('write'));
        res.end('end', () => callbacks.push('end'));
      }, 20);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answer.status).toBe(409);
    expect(answer.body).toBe('{"code":"LEASE_LOST"}');
    expect(answer.headers['x-handler']).toBeUndefined();
    expect(callbacks.sort()).toEqual(['end', 'write']);
    expect(errors).toEqual([]);
  });

  it('without a replacement, sends the handler’s own bytes', async () => {
    const answer = await serve((res) => {
      captureNodeResponse(res, 1024, { commit: async () => undefined });
      res.statusCode = 201;
      res.end('created');
    });
    expect([answer.status, answer.body]).toEqual([201, 'created']);
  });
});

describe('captureNodeResponse on responses of one prototype', () => {
  it('a layer that patched write/end before the capture stays in the chain; a plain response next to it is untouched', async () => {
    const committed: HttpResponse[] = [];
    const commit = async (response: HttpResponse) => void committed.push(response);
    // First a plain response (its methods come from the prototype), then one a compression-like layer
    // wrapped on the instance, then a plain one again: each flushes through its own methods.
    const plain = await serve((res) => {
      captureNodeResponse(res, 1024, { commit });
      res.end('plain');
    });
    const wrapped = await serve((res) => {
      const end = res.end;
      res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
        return (end as (...args: unknown[]) => ServerResponse).call(
          this,
          typeof chunk === 'string' || Buffer.isBuffer(chunk) ? `<${String(chunk)}>` : chunk,
          ...rest,
        );
      } as ServerResponse['end'];
      captureNodeResponse(res, 1024, { commit });
      res.write('a');
      res.write(Buffer.from('b'));
      res.end(new Uint8Array([0x63]));
    });
    const again = await serve((res) => {
      captureNodeResponse(res, 1024, { commit });
      res.setHeader('content-length', 5);
      res.end('again');
    });
    expect([plain.body, wrapped.body, again.body]).toEqual(['plain', '<abc>', 'again']);
    // What was recorded is what the handler wrote, every header value a string.
    expect(committed.map((response) => Buffer.from(response.body).toString())).toEqual(['plain', 'abc', 'again']);
    expect(committed[2]!.headers['content-length']).toBe('5');
  });

  it('a response whose prototype was replaced (as Express does) keeps what it had set, sendDate included', async () => {
    const committed: HttpResponse[] = [];
    const answers = await Promise.all(
      [true, false].map((sendDate) =>
        serve((res) => {
          Object.setPrototypeOf(res, Object.create(Object.getPrototypeOf(res) as object));
          res.sendDate = sendDate;
          captureNodeResponse(res, 1024, { commit: async (response) => void committed.push(response) });
          res.statusCode = 202;
          res.end('replaced');
        }),
      ),
    );
    expect(answers.map((answer) => [answer.status, answer.body, answer.headers.date !== undefined])).toEqual([
      [202, 'replaced', true],
      [202, 'replaced', false],
    ]);
    expect(committed.map((response) => Buffer.from(response.body).toString())).toEqual(['replaced', 'replaced']);
  });
});
