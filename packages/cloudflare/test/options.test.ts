import { ConfigurationError } from '@idem/core';
import { D1Store, DurableObjectStore, type DurableObjectNamespaceLike } from '../src';

const namespace: DurableObjectNamespaceLike = { idFromName: (name) => name, get: () => ({ fetch: async () => new Response() }) };

describe('DurableObjectStore options', () => {
  it('requires a namespace', () => {
    expect(() => new DurableObjectStore({} as never)).toThrow(ConfigurationError);
    expect(() => new DurableObjectStore({ namespace: {} as never })).toThrow(/`namespace` is required/);
  });
  it('rejects a prefix that is not a string', () => {
    expect(() => new DurableObjectStore({ namespace, prefix: 1 as never })).toThrow(/`prefix` must be a string/);
  });
  it.each([0, -1, 1.5, Number.NaN, '4'])('rejects shards: %p', (shards) => {
    expect(() => new DurableObjectStore({ namespace, shards: shards as never })).toThrow(/`shards` must be a whole number/);
  });
  it('declares the object’s clock: leases and expiry are decided inside the Durable Object', () => {
    expect(new DurableObjectStore({ namespace }).clock).toBe('store');
  });
  it('accepts a prefix and a shard count', () => {
    expect(() => new DurableObjectStore({ namespace, prefix: 'billing:', shards: 64 })).not.toThrow();
  });
  it('turns a failing object into a StorageError naming the operation', async () => {
    const failing: DurableObjectNamespaceLike = {
      idFromName: (name) => name,
      get: () => ({ fetch: async () => new Response('boom', { status: 500 }) }),
    };
    await expect(new DurableObjectStore({ namespace: failing }).get('k')).rejects.toMatchObject({
      code: 'STORAGE_ERROR',
      message: expect.stringMatching(/get \(Durable Object\) failed: HTTP 500: boom/),
    });
  });
});

describe('D1Store options', () => {
  const database = { prepare: () => ({ bind: () => ({ all: async () => ({ results: [], meta: {} }) }) }) } as never;
  it('requires a database', () => {
    expect(() => new D1Store({} as never)).toThrow(/`database` is required/);
  });
  it('validates the table name', () => {
    expect(() => new D1Store({ database, table: 'x; DROP TABLE y' })).toThrow(ConfigurationError);
    expect(() => new D1Store({ database, table: 'idem_keys', prefix: 'billing:' })).not.toThrow();
  });
});
