import { randomBytes } from 'node:crypto';
import { jsonSerializer } from '../src';
import { decodeResponse, encodeResponse } from '../src/adapter';

describe('response codec', () => {
  it('round-trips status, headers and arbitrary body bytes exactly', () => {
    const body = new Uint8Array(randomBytes(4096));
    const response = { status: 201, headers: { 'content-type': 'application/octet-stream', 'set-cookie': ['a=1', 'b=2'] }, body };
    const decoded = decodeResponse(encodeResponse(response));
    expect(decoded.status).toBe(201);
    expect(decoded.headers).toEqual(response.headers);
    expect(Buffer.from(decoded.body).equals(Buffer.from(body))).toBe(true);
  });

  it('keeps an empty body empty', () => {
    expect(decodeResponse(encodeResponse({ status: 204, headers: {}, body: new Uint8Array() })).body.length).toBe(0);
  });

  it('decodes from a view into a larger buffer (as drivers return them)', () => {
    const payload = encodeResponse({ status: 200, headers: {}, body: new Uint8Array([1, 2, 3]) });
    const big = new Uint8Array(payload.length + 10);
    big.set(payload, 7);
    expect([...decodeResponse(big.subarray(7, 7 + payload.length)).body]).toEqual([1, 2, 3]);
  });

  it('rejects payloads it did not produce', () => {
    expect(() => decodeResponse(new Uint8Array([9, 0, 0, 0, 0]))).toThrow(TypeError);
    expect(() => decodeResponse(new Uint8Array([1, 0, 0, 0, 50, 1]))).toThrow(/Truncated/);
  });

  it('serializes function results as JSON, keeping undefined', () => {
    expect(jsonSerializer.deserialize(jsonSerializer.serialize({ a: [1, 'x'] }))).toEqual({ a: [1, 'x'] });
    expect(jsonSerializer.deserialize(jsonSerializer.serialize(undefined))).toBeUndefined();
  });
});
