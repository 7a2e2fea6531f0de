import { MemoryStore } from '@idem/memory';
import { ConfigurationError, StorageNotConfiguredError, type IdempotencyOptions } from '../src';
import { Idempotency } from '../src/adapter';

describe('option validation at construction', () => {
  const store = new MemoryStore();
  afterAll(() => store.close());

  it('requires a store', () => {
    expect(() => new Idempotency({} as IdempotencyOptions)).toThrow(StorageNotConfiguredError);
  });

  it('requires a store that honours the whole contract', () => {
    expect(() => new Idempotency({ store: { acquire: async () => undefined } as never })).toThrow(/lacks the method `complete`/);
  });

  it.each([
    [{ ttl: 0 }, /`ttl` must be a positive whole number of milliseconds/],
    [{ ttl: '24h' }, /`ttl`/],
    [{ lockTtl: 5 }, /`lockTtl` must be at least 10 ms/],
    [{ waitTimeout: -1 }, /`waitTimeout`/],
    [{ maxResponseBytes: 1.5 }, /`maxResponseBytes` must be a positive whole number of bytes/],
    [{ header: 'Bad Header' }, /`header`/],
    [{ methods: 'POST' }, /`methods`/],
    [{ onConflict: 'queue' }, /`onConflict`/],
    [{ requireKey: 'yes' }, /`requireKey` must be a boolean/],
    [{ scope: 'tenant' }, /`scope` must be a function/],
    [{ onCacheHit: 1 }, /`onCacheHit` must be a function/],
    [{ fingerprint: 'sha1' }, /`fingerprint`/],
    [{ keepResponseHeaders: 'etag' }, /`keepResponseHeaders`/],
    [{ tll: 5 }, /Unknown idem option `tll`/],
  ])('rejects %p', (bad, message) => {
    const create = () => new Idempotency({ store, ...(bad as object) } as IdempotencyOptions);
    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(message);
  });

  it('accepts every documented option', () => {
    expect(
      () =>
        new Idempotency({
          store,
          ttl: 1000,
          lockTtl: 100,
          header: 'X-Idempotency-Key',
          key: () => 'k',
          fingerprint: { json: true, omit: ['at'] },
          scope: () => 's',
          methods: ['POST'],
          skip: () => false,
          requireKey: true,
          validateKey: () => true,
          keepResponseHeaders: ['etag'],
          shouldStore: () => true,
          onConflict: 'wait',
          waitTimeout: 100,
          failOpen: false,
          maxResponseBytes: 1024,
          errorHandler: () => undefined,
          hashKeys: true,
          now: Date.now,
          onCacheHit: () => undefined,
          onCacheMiss: () => undefined,
          onLockConflict: () => undefined,
          onMismatch: () => undefined,
          onStoreError: () => undefined,
          onLeaseLost: () => undefined,
        }),
    ).not.toThrow();
  });
});
