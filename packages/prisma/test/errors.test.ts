/** Every Prisma failure reaches idem as core's StorageError (HTTP 503), with the Prisma error as cause. */
import { randomUUID } from 'node:crypto';
import { IdempotencyRunner, StorageError } from '@idem/core';
import { PrismaStore } from '../src';
import { sqlitePrisma, type SqlitePrisma } from './support/sqlite';
import { postgresAdapter, postgresPrisma } from './support/postgres';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LEASE = { lockTtlMs: 5_000, ttlMs: 60_000, now: Date.now() };

describe('PrismaStore errors', () => {
  it('an unreachable PostgreSQL server becomes a StorageError carrying the cause', async () => {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    const prisma = postgresPrisma(
      'public',
      postgresAdapter('public', { url: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 1_000 }),
    );
    const store = new PrismaStore({ prisma });
    try {
      const failure = await store.acquire('k', 'fp', LEASE).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(StorageError);
      expect(failure).toMatchObject({ code: 'STORAGE_ERROR', status: 503 });
      expect((failure as StorageError).message).toMatch(/^Prisma idempotency store acquire failed/);
      expect((failure as StorageError).cause).toBeDefined();
    } finally {
      await prisma.$disconnect();
    }
  });

  describe('a database without the idempotency table (Prisma P2021)', () => {
    let dir: string;
    let prisma: SqlitePrisma;
    let store: PrismaStore;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'idem-prisma-empty-'));
      prisma = sqlitePrisma(join(dir, 'empty.db'));
      store = new PrismaStore({ prisma });
    });
    afterAll(async () => {
      await prisma.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    });

    it.each([
      ['acquire', () => store.acquire('k', 'fp', LEASE)],
      ['complete', () => store.complete('k', 't', new Uint8Array(), LEASE)],
      ['release', () => store.release('k', 't')],
      ['extend', () => store.extend('k', 't', LEASE)],
      ['get', () => store.get('k')],
      ['delete', () => store.delete('k')],
      ['purgeExpired', () => store.purgeExpired()],
    ])('%s rejects with a StorageError naming the Prisma code', async (operation, call) => {
      const failure = await call().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(StorageError);
      expect((failure as StorageError).message).toContain(`store ${operation} failed: P2021`);
      expect((failure as StorageError).cause).toMatchObject({ code: 'P2021' });
    });

    it('so the handler never runs (fail closed)', async () => {
      const runner = new IdempotencyRunner({ store });
      const handler = jest.fn(async () => 'charged');
      await expect(runner.run(`k-${randomUUID()}`, handler)).rejects.toBeInstanceOf(StorageError);
      expect(handler).not.toHaveBeenCalled();
    });
  });
});
