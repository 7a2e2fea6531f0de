/** Every option of PrismaStore, its validation, purgeExpired, and the application's other models. */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { ConfigurationError } from '@idem/core';
import { PrismaStore } from '../src';
import { createSqliteDatabase, sqlitePrisma } from './support/sqlite';

const database = createSqliteDatabase();
const prisma = sqlitePrisma(database.file);
const raw = new Database(database.file, { readonly: true });
const LEASE = { lockTtlMs: 5_000, ttlMs: 60_000 };
const bytes = (text: string) => new TextEncoder().encode(text);
const keysIn = (table: string) => (raw.prepare(`SELECT key FROM ${table} ORDER BY key`).all() as { key: string }[]).map((row) => row.key);

afterAll(async () => {
  raw.close();
  await prisma.$disconnect();
  database.remove();
});

describe('PrismaStore options', () => {
  it('refuses a missing client', () => {
    expect(() => new PrismaStore(undefined as never)).toThrow(ConfigurationError);
    expect(() => new PrismaStore({ prisma: null as never })).toThrow(/needs `prisma`/);
  });

  it('refuses a model name the client does not have, naming it', () => {
    expect(() => new PrismaStore({ prisma, model: 'idempotencyRecords' as never })).toThrow(
      /`prisma.idempotencyRecords` is not a Prisma model/,
    );
    expect(() => new PrismaStore({ prisma, model: '' as never })).toThrow(ConfigurationError);
    expect(() => new PrismaStore({ prisma, model: '$connect' })).toThrow(ConfigurationError);
  });

  it('refuses a prefix that is not a string', () => {
    expect(() => new PrismaStore({ prisma, prefix: 42 as never })).toThrow(/`prefix` must be a string/);
  });

  it('uses the `idempotencyRecord` model by default', async () => {
    const key = `default-${randomUUID()}`;
    await new PrismaStore({ prisma }).acquire(key, 'fp', { ...LEASE, now: Date.now() });
    expect(keysIn('idempotency_records')).toContain(`idem:${key}`);
  });

  it('`model` selects another delegate: records go to that model’s table only', async () => {
    const store = new PrismaStore({ prisma, model: 'paymentIdempotency' });
    const key = `payments-${randomUUID()}`;
    const first = await store.acquire(key, 'fp', { ...LEASE, now: Date.now() });
    expect(first.state).toBe('acquired');
    expect(keysIn('payment_idempotency')).toContain(`idem:${key}`);
    expect(keysIn('idempotency_records')).not.toContain(`idem:${key}`);
  });

  it('`prefix` names the row `prefix:key` and is stripped from the records it returns', async () => {
    const store = new PrismaStore({ prisma, prefix: 'tenant-a' });
    const key = `prefixed-${randomUUID()}`;
    const now = Date.now();
    const first = await store.acquire(key, 'fp', { ...LEASE, now });
    if (first.state !== 'acquired') throw new Error('expected to acquire');
    await store.complete(key, first.token, bytes('ok'), { ttlMs: 60_000, now });
    expect(keysIn('idempotency_records')).toContain(`tenant-a:${key}`);
    expect((await store.get(key, { now }))?.key).toBe(key);
    expect(await new PrismaStore({ prisma, prefix: 'tenant-b' }).get(key, { now })).toBeUndefined();
  });

  it("`clock` is the caller’s by default; `clock: 'store'` dates leases on the database’s clock, whatever `now` says", async () => {
    expect(new PrismaStore({ prisma }).clock).toBe('caller');
    const store = new PrismaStore({ prisma, clock: 'store' });
    expect(store.clock).toBe('store');
    const key = `store-clock-${randomUUID()}`;
    const yesterday = Date.now() - 86_400_000;
    const before = Date.now();
    const first = await store.acquire(key, 'fp', { ...LEASE, now: yesterday });
    const after = Date.now();
    expect(first.state).toBe('acquired');
    const record = await store.get(key, { now: yesterday });
    // `now` names the lease; the lease itself runs from the database's now (this machine's clock here).
    expect(record?.createdAt).toBe(yesterday);
    expect(record?.lockExpiresAt).toBeGreaterThanOrEqual(before + LEASE.lockTtlMs - 50);
    expect(record?.lockExpiresAt).toBeLessThanOrEqual(after + LEASE.lockTtlMs + 50);
    // A `now` a day ahead neither sees the lease lapsed nor the record expired.
    const tomorrow = Date.now() + 86_400_000;
    expect((await store.acquire(key, 'fp', { ...LEASE, now: tomorrow })).state).toBe('in_progress');
  });

  it('refuses a `clock` other than caller or store', () => {
    expect(() => new PrismaStore({ prisma, clock: 'server' as never })).toThrow(/`clock` must be 'caller' or 'store'/);
  });

  it("refuses `clock: 'store'` on a provider whose clock it cannot read, naming the provider", () => {
    const mongo = { idempotencyRecord: prisma.idempotencyRecord, _activeProvider: 'mongodb' };
    expect(() => new PrismaStore({ prisma: mongo, clock: 'store' })).toThrow(ConfigurationError);
    expect(() => new PrismaStore({ prisma: mongo, clock: 'store' })).toThrow(/provider is "mongodb"/);
    // The caller's clock needs nothing of the provider.
    expect(new PrismaStore({ prisma: mongo }).clock).toBe('caller');
  });

  it('works on an `$extends`-ed client', async () => {
    let seen = 0;
    const extended = prisma.$extends({
      query: {
        idempotencyRecord: {
          async $allOperations({ args, query }) {
            seen++;
            return query(args);
          },
        },
      },
    });
    const store = new PrismaStore({ prisma: extended });
    await store.acquire(`extended-${randomUUID()}`, 'fp', { ...LEASE, now: Date.now() });
    expect(seen).toBe(1);
  });
});

describe('PrismaStore.purgeExpired', () => {
  it('deletes the records expired at `now`, keeps live ones, and counts them', async () => {
    const store = new PrismaStore({ prisma, model: 'paymentIdempotency', prefix: `purge-${randomUUID()}` });
    const now = Date.now() - 10 * 60_000; // earlier than every record other tests wrote, so counts are exact
    const done = await store.acquire('done', 'fp', { ...LEASE, now });
    if (done.state !== 'acquired') throw new Error('expected to acquire');
    await store.complete('done', done.token, bytes('x'), { ttlMs: 1_000, now });
    await store.acquire('pending', 'fp', { lockTtlMs: 1_000, ttlMs: 2_000, now });
    await store.acquire('live', 'fp', { ...LEASE, now });
    expect(await store.purgeExpired(now + 1_500)).toBe(1);
    expect(await store.get('done', { now })).toBeUndefined();
    expect(await store.purgeExpired(now + 2_000)).toBe(1);
    expect((await store.get('live', { now: now + 2_000 }))?.status).toBe('in_progress');
    expect(await store.purgeExpired(now + 2_000)).toBe(0);
  });
});

describe('PrismaStore.purgeExpired on the store’s clock', () => {
  it('measures expiry on the database’s clock when no `now` is given', async () => {
    const store = new PrismaStore({ prisma, model: 'paymentIdempotency', prefix: `purge-store-${randomUUID()}`, clock: 'store' });
    const first = await store.acquire('short', 'fp', { lockTtlMs: 100, ttlMs: 100, now: Date.now() });
    if (first.state !== 'acquired') throw new Error('expected to acquire');
    await store.complete('short', first.token, bytes('x'), { ttlMs: 100, now: Date.now() });
    await store.acquire('live', 'fp', { ...LEASE, now: Date.now() });
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await store.purgeExpired()).toBeGreaterThanOrEqual(1);
    expect(await store.get('short')).toBeUndefined();
    expect((await store.get('live'))?.status).toBe('in_progress');
  });
});

describe('the application’s other models', () => {
  it('are never read or written by the store', async () => {
    const order = await prisma.order.create({ data: { amount: 4200 } });
    const store = new PrismaStore({ prisma });
    const now = Date.now();
    const key = `order-${order.id}`;
    const first = await store.acquire(key, 'fp', { ...LEASE, now });
    if (first.state !== 'acquired') throw new Error('expected to acquire');
    await store.complete(key, first.token, bytes('created'), { ttlMs: 60_000, now });
    await store.delete(key);
    await store.purgeExpired(now + 120_000);
    expect(await prisma.order.findMany()).toEqual([{ id: order.id, amount: 4200 }]);
  });
});
