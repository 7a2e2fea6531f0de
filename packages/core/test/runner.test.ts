import { MemoryStore } from '@idem/memory';
import { idempotent, IdempotencyRunner, RequestInProgressError, RequestMismatchError, StorageError, type IdempotencyStore } from '../src';

let store: MemoryStore;
beforeEach(() => {
  store = new MemoryStore();
});
afterEach(() => store.close());

describe('function API', () => {
  it('run() executes once per key and returns the stored result afterwards', async () => {
    const runner = new IdempotencyRunner({ store });
    const fn = jest.fn(async () => ({ charged: 5 }));
    expect(await runner.run('evt_1', fn)).toEqual({ charged: 5 });
    expect(await runner.run('evt_1', fn)).toEqual({ charged: 5 });
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('run() stores nothing when the function throws, so the next call runs again', async () => {
    const runner = new IdempotencyRunner({ store });
    await expect(runner.run('evt_2', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await runner.run('evt_2', () => 'ok')).toBe('ok');
  });

  it('run() throws RequestInProgressError for a concurrent duplicate, or waits with onConflict: wait', async () => {
    const runner = new IdempotencyRunner({ store });
    const slow = runner.run('evt_3', () => new Promise((resolve) => setTimeout(() => resolve('slow'), 100)));
    await expect(runner.run('evt_3', () => 'dup')).rejects.toBeInstanceOf(RequestInProgressError);
    const waiter = new IdempotencyRunner({ store, onConflict: 'wait' });
    expect(await waiter.run('evt_3', () => 'dup')).toBe('slow');
    await slow;
  });

  it('idempotent() wraps a function keyed by its arguments and detects a reused key with other arguments', async () => {
    const charge = jest.fn(async (event: { id: string; amount: number }) => `charged ${event.amount}`);
    const safeCharge = idempotent(charge, { store, key: (event) => event.id });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => safeCharge({ id: 'evt_4', amount: 7 })));
    expect(charge).toHaveBeenCalledTimes(1);
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    expect(await safeCharge({ id: 'evt_4', amount: 7 })).toBe('charged 7');
    await expect(safeCharge({ id: 'evt_4', amount: 8 })).rejects.toBeInstanceOf(RequestMismatchError);
  });

  it('throws StorageError when the store fails, or runs unprotected with failOpen', async () => {
    const broken: IdempotencyStore = Object.assign(Object.create(store), { acquire: () => Promise.reject(new Error('down')) });
    await expect(new IdempotencyRunner({ store: broken }).run('evt_5', () => 1)).rejects.toBeInstanceOf(StorageError);
    const onStoreError = jest.fn();
    expect(await new IdempotencyRunner({ store: broken, failOpen: true, onStoreError }).run('evt_5', () => 1)).toBe(1);
    expect(onStoreError).toHaveBeenCalledWith(expect.any(StorageError), { key: 'evt_5', storageKey: 'evt_5', failOpen: true });
  });

  it('run() with a fingerprint rejects the same key used for other input', async () => {
    const runner = new IdempotencyRunner({ store });
    await runner.run('evt_6', () => 1, { fingerprint: 'order-1' });
    await expect(runner.run('evt_6', () => 2, { fingerprint: 'order-2' })).rejects.toBeInstanceOf(RequestMismatchError);
  });

  it('run() keeps scopes apart: the same key in two scopes runs twice', async () => {
    const runner = new IdempotencyRunner({ store });
    const fn = jest.fn(async () => 'ok');
    await runner.run('evt_7', fn, { scope: 'tenant-a' });
    await runner.run('evt_7', fn, { scope: 'tenant-b' });
    await runner.run('evt_7', fn, { scope: 'tenant-a' });
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('idempotent() takes a custom fingerprint, a scope and a serializer', async () => {
    const serializer = {
      serialize: (value: Date) => new TextEncoder().encode(value.toISOString()),
      deserialize: (bytes: Uint8Array) => new Date(new TextDecoder().decode(bytes)),
    };
    const fn = jest.fn(async (event: { id: string; tenant: string; at: number }) => new Date(event.at));
    const wrapped = idempotent(fn, {
      store,
      key: (event) => event.id,
      scope: (event) => event.tenant,
      fingerprint: (event) => event.id, // `at` may differ between deliveries: not part of the identity
      serializer,
    });
    const first = await wrapped({ id: 'evt_8', tenant: 't1', at: 0 });
    const again = await wrapped({ id: 'evt_8', tenant: 't1', at: 5 });
    expect(again).toBeInstanceOf(Date);
    expect(again.getTime()).toBe(first.getTime());
    await wrapped({ id: 'evt_8', tenant: 't2', at: 0 });
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('validates keys like the HTTP path does', async () => {
    await expect(new IdempotencyRunner({ store }).run('', () => 1)).rejects.toThrow(/empty/);
  });
});
