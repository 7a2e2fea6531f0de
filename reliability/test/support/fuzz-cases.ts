/**
 * Hostile requests, generated from a seed: case `i` of seed `s` is always the same request, whatever
 * order the workers run them in, so a failure replays with IDEM_FUZZ_SEED=s. Each case names its kind
 * and, where the answer is determined, the statuses it may get (every case: never ≥ 500).
 */
import { buildRequest, type RawRequest } from './raw-http';

export interface FuzzCase {
  kind: string;
  request: RawRequest;
  /** The statuses this case may be answered with, if answered; undefined: any status below 500. */
  allowed?: number[];
  /** The request is well-formed HTTP, so the server must answer it (a status line is expected). */
  mustAnswer?: boolean;
}

/** mulberry32: tiny, fast, good enough to drive a fuzzer deterministically. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KINDS = [
  'valid',
  'replay',
  'mismatch',
  'oversized-key',
  'unicode-key',
  'control-key',
  'quoted-key',
  'repeated-key',
  'malformed-json',
  'body-past-limit',
  'odd-content-type',
  'abort-mid-body',
  'abort-mid-response',
  'chunked',
  'odd-method-or-path',
  'garbage',
] as const;

export function fuzzCase(seed: number, index: number, namespace: string): FuzzCase {
  const rnd = random((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const int = (max: number) => Math.floor(rnd() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const kind = pick(KINDS);
  // Replays and mismatches reuse keys of earlier cases: a small key space makes them collide.
  const sharedKey = `${namespace}-shared-${int(200)}`;
  const freshKey = `${namespace}-${index}-${int(1e9).toString(36)}`;
  const json = (amount: number) => Buffer.from(JSON.stringify({ amount }));
  const post = (key: string | Buffer, body: Buffer, extra: Array<[string, string | Buffer]> = [], path = '/payments') =>
    buildRequest(
      'POST',
      path,
      [['Idempotency-Key', key], ['Content-Type', 'application/json'], ['Content-Length', String(body.length)], ...extra],
      body,
    );

  switch (kind) {
    case 'valid':
      return { kind, request: { bytes: post(freshKey, json(int(1000))) }, allowed: [201], mustAnswer: true };
    case 'replay':
      // The same key and body as any earlier case with this key: first run, replay, or in flight. Half
      // share a key with the cases sent around the same time (by index) and work up to 300 ms, so
      // duplicates meet the first one running (409).
      if (rnd() < 0.5) return { kind, request: { bytes: post(sharedKey, json(7)) }, allowed: [201, 409, 422], mustAnswer: true };
      return {
        kind,
        request: { bytes: post(`${namespace}-hot-${Math.floor(index / 200)}`, json(7), [['X-Delay-Ms', String(int(300))]]) },
        allowed: [201, 409],
        mustAnswer: true,
      };
    case 'mismatch':
      return { kind, request: { bytes: post(sharedKey, json(1000 + int(1000))) }, allowed: [201, 409, 422], mustAnswer: true };
    case 'oversized-key':
      return { kind, request: { bytes: post('k'.repeat(256 + int(4000)), json(1)) }, allowed: [400, 431], mustAnswer: true };
    case 'unicode-key': {
      const chars = Array.from({ length: 1 + int(60) }, () =>
        String.fromCodePoint(pick([0x80 + int(0x700), 0x4e00 + int(0x5000), 0x1f300 + int(0x300), 0xe000 + int(0x1000)])),
      );
      // Raw UTF-8 bytes on the wire: node reads header bytes as latin1, so the key is odd but valid text.
      return { kind, request: { bytes: post(Buffer.from(`${freshKey}-${chars.join('')}`, 'utf8'), json(2)) } };
    }
    case 'control-key': {
      const control = String.fromCharCode(pick([0, 1, 7, 8, 9, 11, 12, 27, 31, 127]));
      return { kind, request: { bytes: post(Buffer.from(`${freshKey}${control}x`, 'latin1'), json(3)) }, allowed: [400] };
    }
    case 'quoted-key': {
      const value = pick([
        `"${freshKey}"`,
        `"${freshKey}\\"q"`,
        `"${freshKey}`,
        '""',
        `"bad\\escape"`,
        `"a"b"`,
        `'${freshKey}'`,
        `  "${freshKey}"  `,
        '"\\\\"',
      ]);
      return { kind, request: { bytes: post(value, json(4)) } };
    }
    case 'repeated-key':
      return {
        kind,
        request: {
          bytes: buildRequest(
            'POST',
            '/payments',
            [
              ['Idempotency-Key', freshKey],
              ['Idempotency-Key', `${freshKey}-b`],
              ['Content-Type', 'application/json'],
              ['Content-Length', '2'],
            ],
            Buffer.from('{}'),
          ),
        },
        mustAnswer: true,
        allowed: [400],
      };
    case 'malformed-json': {
      const body = Buffer.from(pick(['{', '{"amount":', '[1,2', 'nul', '{"a":"\\u12"}', '\u0000\u0001', '{"amount": 1}}', 'NaN']));
      return { kind, request: { bytes: post(freshKey, body) }, allowed: [400], mustAnswer: true };
    }
    case 'body-past-limit': {
      // Past the middleware's 16 KiB read (413) or the JSON parser's 64 KiB limit (413), or both.
      const size = pick([16 * 1024 + 1 + int(1024), 64 * 1024 + int(64 * 1024), 300 * 1024]);
      const body = Buffer.alloc(size, 0x61);
      return { kind, request: { bytes: post(freshKey, body) }, allowed: [413] };
    }
    case 'odd-content-type': {
      const type = pick([
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=',
        ';;;',
        'application/json; charset=utf-16',
        '*/*',
        'application/octet-stream',
        '',
      ]);
      const body = Buffer.from(pick(['amount=1', '{"amount":1}', '--x--', '\xff\xfe\x00']), 'latin1');
      return {
        kind,
        request: {
          bytes: buildRequest(
            pick(['POST', 'PUT', 'PATCH']),
            pick(['/payments', '/text', '/raw']),
            [
              ['Idempotency-Key', freshKey],
              ['Content-Type', type],
              ['Content-Length', String(body.length)],
            ],
            body,
          ),
        },
      };
    }
    case 'abort-mid-body': {
      const body = Buffer.alloc(500 + int(20_000), 0x62);
      const bytes = post(freshKey, body);
      return { kind, request: { bytes, cutAfterBytes: bytes.length - body.length + int(body.length) } };
    }
    case 'abort-mid-response':
      // The handler takes a little while; the client is gone before (or while) it answers.
      return { kind, request: { bytes: post(freshKey, json(5), [['X-Delay-Ms', String(5 + int(40))]]), abortAfterMs: int(30) } };
    case 'chunked': {
      const body = json(6);
      const chunked = Buffer.concat([
        Buffer.from(`${body.length.toString(16)}\r\n`),
        body,
        Buffer.from(int(2) ? '\r\n0\r\n\r\n' : '\r\nZZ\r\n'),
      ]);
      return {
        kind,
        request: {
          bytes: buildRequest(
            'POST',
            '/payments',
            [
              ['Idempotency-Key', freshKey],
              ['Content-Type', 'application/json'],
              ['Transfer-Encoding', 'chunked'],
            ],
            chunked,
          ),
        },
      };
    }
    case 'odd-method-or-path': {
      const method = pick(['GET', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND']);
      const path = pick(['/payments', '/payments/1', '/%ZZ', '/../../etc/passwd', `/payments?x=${'y'.repeat(int(3000))}`, '/text', '//']);
      return {
        kind,
        request: {
          bytes: buildRequest(method, path, [
            ['Idempotency-Key', freshKey],
            ['Content-Length', '0'],
          ]),
        },
      };
    }
    case 'garbage': {
      const bytes = pick([
        Buffer.from('GARBAGE\r\n\r\n'),
        Buffer.from(`POST /payments HTTP/1.1\r\nIdempotency-Key: ${freshKey}\r\nContent-Length: -1\r\n\r\n`),
        Buffer.from(`POST /payments HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\nIdempotency-Key: ${freshKey}\r\n\r\nhello!`),
        Buffer.from(Array.from({ length: 64 + int(512) }, () => int(256))),
        Buffer.from(`POST /payments HTTP/1.1\r\nIdempotency-Key: ${freshKey}\r\n${'X-Pad: a\r\n'.repeat(2000)}\r\n`),
      ]);
      return { kind, request: { bytes } };
    }
  }
}

/**
 * Chunked bodies the HTTP parser rejects mid-body (a bad or overflowing chunk size, a broken chunk
 * frame, a client gone mid-chunk), with no, an unknown or a JSON Content-Type, keyed or not, on a
 * protected route and on one that does not exist: the body stream errors ('aborted', a parse error)
 * while idem may be reading or teeing it. One case in eight is a well-formed payment, so the run also
 * proves the server keeps answering.
 */
export function malformedChunkedCase(seed: number, index: number, namespace: string): FuzzCase {
  const rnd = random((seed ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  const int = (max: number) => Math.floor(rnd() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const key = `${namespace}-chunked-${index}-${int(1e9).toString(36)}`;
  if (int(8) === 0) {
    const body = Buffer.from(JSON.stringify({ amount: int(1000) }));
    const bytes = buildRequest(
      'POST',
      '/payments',
      [
        ['Idempotency-Key', key],
        ['Content-Type', 'application/json'],
        ['Content-Length', String(body.length)],
      ],
      body,
    );
    return { kind: 'valid', request: { bytes }, allowed: [201], mustAnswer: true };
  }
  const frame = pick([
    'zz\r\nhello\r\n0\r\n\r\n', // the size is not hex
    '-5\r\nhello\r\n0\r\n\r\n',
    `${'f'.repeat(20)}\r\nhello\r\n0\r\n\r\n`, // overflows
    '5\r\nhello world\r\n0\r\n\r\n', // more data than the size said
    '5\r\nhelloXX0\r\n\r\n', // no CRLF after the data
    '5;\x01ext\r\nhello\r\n0\r\n\r\n',
    '5\nhello\n0\n\n',
    '{"amount":1}\r\n0\r\n\r\n', // an unchunked body under a chunked header
  ]);
  const headers: Array<[string, string]> = [['Transfer-Encoding', 'chunked']];
  const type = pick([undefined, 'application/x-unknown', 'application/json', 'text/plain']);
  if (type !== undefined) headers.push(['Content-Type', type]);
  if (int(2)) headers.push(['Idempotency-Key', key]);
  const bytes = buildRequest(
    pick(['POST', 'PUT', 'PATCH', 'DELETE']),
    pick(['/payments', '/payments', '/elsewhere']),
    headers,
    Buffer.from(frame, 'latin1'),
  );
  // A third of them hang up inside the chunk instead of finishing it.
  return { kind: 'malformed-chunked', request: int(3) === 0 ? { bytes, cutAfterBytes: bytes.length - frame.length + 3 } : { bytes } };
}
