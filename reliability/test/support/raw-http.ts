/**
 * A raw HTTP/1.1 client on `net` sockets: it can send what fetch refuses to (unicode and control bytes
 * in headers, a header twice, a body shorter than its Content-Length) and hang up at any point.
 */
import { connect } from 'node:net';

export interface RawRequest {
  bytes: Buffer;
  /** Send only this many bytes, then destroy the socket (a client dying mid-request). */
  cutAfterBytes?: number;
  /** Destroy the socket this long after sending (a client leaving mid-response). */
  abortAfterMs?: number;
}

export interface RawAnswer {
  /** The status code, or undefined when the connection ended without a status line. */
  status?: number;
  head: string;
}

export function sendRaw(port: number, request: RawRequest, timeoutMs = 5_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const head = text.split('\r\n\r\n')[0] ?? '';
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : undefined, head });
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', done);
    socket.on('close', done);
    socket.on('end', done);
    socket.once('connect', () => {
      if (request.cutAfterBytes !== undefined) {
        socket.write(request.bytes.subarray(0, request.cutAfterBytes), () => setTimeout(done, 5));
        return;
      }
      socket.write(request.bytes);
      if (request.abortAfterMs !== undefined) setTimeout(done, request.abortAfterMs);
    });
  });
}

/** Builds request bytes; header values are raw bytes (Buffers pass through untouched). */
export function buildRequest(
  method: string,
  path: string,
  headers: Array<[string, string | Buffer]>,
  body: Buffer = Buffer.alloc(0),
): Buffer {
  const parts: Buffer[] = [Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n`, 'latin1')];
  for (const [name, value] of headers)
    parts.push(Buffer.from(`${name}: `, 'latin1'), Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8'), Buffer.from('\r\n'));
  parts.push(Buffer.from('\r\n'), body);
  return Buffer.concat(parts);
}
