/**
 * Everything every dialect must do, registered once per database: the store contract suite, the
 * SQL-specific behaviour (migrate, purge, table option, storage layout) and the multi-process race.
 */
import { createHash } from 'node:crypto';
import { runProcessRace, storeConformanceSuite } from '@idem/testkit';
import { IdempotencyRunner } from '@idem/core';
import { SqlStore, type DialectName } from '../src';
import { liveTest, type TestDatabase } from './databases';

/** Statements per request, as the README states them: [first execution, replay]. */
export const STATEMENTS_PER_REQUEST: Record<DialectName, { first: number; replay: number }> = {
  postgres: { first: 2, replay: 1 },
  sqlite: { first: 2, replay: 1 },
  mysql: { first: 3, replay: 2 },
};

const LOCK = 5_000;
const TTL = 60_000;

export function describeSqlStore(database: TestDatabase): void {
  const { table, dialect } = database;
  let available = false;

  storeConformanceSuite({ describe, it, beforeAll, afterAll }, `SqlStore (${database.label})`, {
    ...(database.service ? { service: database.service } : {}),
    available: async () => (available = await database.available()),
    createStore: async ({ prefix }) => {
      const store = new SqlStore({ dialect, table, prefix });
      await store.migrate();
      return store;
    },
  });

  describe(`SqlStore on ${database.label}`, () => {
    const store = () => new SqlStore({ dialect, table, prefix: `behaviour-${table}` });
    const live = liveTest(() => available);

    beforeAll(async () => {
      available = await database.available();
      if (available) await store().migrate();
    });
    afterAll(() => database.dispose(), 30_000);

    live('migrate() can run again, and from several stores at once', async () => {
      await Promise.all([store().migrate(), store().migrate(), store().migrate()]);
      const rows = await database.raw(`SELECT COUNT(*) AS n FROM ${dialect.sql.quote(table)}`);
      expect(Number(rows[0]!.n)).toBeGreaterThanOrEqual(0);
    });

    live('stores times as epoch milliseconds, the key in full and the SHA-256 of the record name `prefix:key` as the id', async () => {
      const key = `κλειδί-🔑-${'x'.repeat(580)}`;
      const s = store();
      const now = 1_700_000_000_123;
      const wall = Date.now();
      const result = await s.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
      expect(result.state).toBe('acquired');
      const id = createHash('sha256').update(`behaviour-${table}:${key}`).digest('hex');
      const rows = await database.raw(
        `SELECT idempotency_key, created_at, expires_at, lock_expires_at FROM ${dialect.sql.quote(table)} WHERE id = ${dialect.sql.placeholders === 'numbered' ? '$1' : '?'}`,
        [id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]!.idempotency_key).toBe(key);
      // created_at is the caller's `now` (it names the lease); the expiries are on the database's clock.
      expect(Number(rows[0]!.created_at)).toBe(now);
      expect(Math.abs(Number(rows[0]!.expires_at) - (wall + TTL))).toBeLessThan(2_000);
      expect(Math.abs(Number(rows[0]!.lock_expires_at) - (wall + LOCK))).toBeLessThan(2_000);
    });

    // The lookup docs/keys.md gives for finding a record by hand, run in the database itself.
    const byHand: Partial<Record<DialectName, string>> = {
      postgres: `SELECT status FROM ${dialect.sql.quote(table)} WHERE id = encode(sha256(convert_to($1, 'UTF8')), 'hex')`,
      mysql: `SELECT status FROM ${dialect.sql.quote(table)} WHERE id = SHA2(?, 256)`,
    };
    const lookup = byHand[dialect.sql.name];
    if (lookup) {
      live('a record is found by hand from its name: the id is SHA-256 of `prefix:key`, computed in SQL', async () => {
        const key = `by-hand-${Math.random()}`;
        await store().acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: Date.now() });
        const rows = await database.raw(lookup, [`behaviour-${table}:${key}`]);
        expect(rows).toEqual([expect.objectContaining({ status: 'in_progress' })]);
      });
    }

    live('decides expiry on the database clock, not the `now` it is given', async () => {
      const s = store();
      const key = `clock-${Math.random()}`;
      const tenYears = 10 * 365 * 24 * 3600_000;
      const past = Date.now() - tenYears;
      const ahead = Date.now() + tenYears;
      const first = await s.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: past });
      expect(first.state).toBe('acquired');
      // A caller ten years behind wrote a lease that is live now; callers a lease or ten years ahead
      // see it live too.
      expect((await s.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: Date.now() + 2 * LOCK })).state).toBe('in_progress');
      expect((await s.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: ahead })).state).toBe('in_progress');
      expect(await s.get(key, { now: ahead })).toBeDefined();
      if (first.state !== 'acquired') return;
      expect(await s.extend(key, first.token, { lockTtlMs: LOCK, now: past })).toBe(true);
      expect(await s.complete(key, first.token, new Uint8Array([1]), { ttlMs: TTL, now: past })).toBe(true);
      expect((await s.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: ahead })).state).toBe('completed');
    });

    live('purgeExpired() deletes expired rows in batches and leaves live ones', async () => {
      const s = new SqlStore({ dialect, table, prefix: `purge-${Math.random()}:` });
      const now = Date.now();
      // The rows expire a minute from now on the database clock; purging "as of a year ahead" removes
      // them (and any other row of this test table that would be expired by then), never a live one.
      const later = now + 365 * 24 * 3600_000;
      for (let i = 0; i < 7; i++) await s.acquire(`old-${i}`, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: later });
      await s.acquire('live', 'fp', { lockTtlMs: LOCK, ttlMs: 10 * 365 * 24 * 3600_000, now: later });
      const purgeNow = later + TTL;
      expect(await s.purgeExpired({ now: purgeNow, limit: 3, batchSize: 2 })).toBe(3);
      expect(await s.purgeExpired({ now: purgeNow, batchSize: 2 })).toBeGreaterThanOrEqual(4);
      expect(await s.get('old-6', { now: later })).toBeUndefined();
      expect(await s.get('live', { now: purgeNow })).toBeDefined();
      expect(await s.purgeExpired({ now: purgeNow, batchSize: 2 })).toBe(0);
    });

    live('purgeExpired() with the defaults leaves rows that are still live now', async () => {
      const s = store();
      await s.acquire('fresh', 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: Date.now() });
      await s.purgeExpired();
      expect(await s.get('fresh')).toBeDefined();
    });

    it('purgeExpired() rejects a batch size or limit that is not a whole number', async () => {
      const s = store();
      await expect(s.purgeExpired({ batchSize: 0 })).rejects.toThrow(/batchSize/);
      await expect(s.purgeExpired({ limit: 1.5 })).rejects.toThrow(/limit/);
      await expect(s.purgeExpired({ now: Number.NaN })).rejects.toThrow(/now/);
    });

    live('a store on a missing table fails with StorageError naming the table', async () => {
      const s = new SqlStore({ dialect, table: 'idem_missing_table_x9', prefix: 'p:' });
      await expect(s.get('k')).rejects.toMatchObject({ code: 'STORAGE_ERROR', message: expect.stringContaining('idem_missing_table_x9') });
    });

    live('a schema-qualified table name works', async () => {
      const qualified = `${await database.schema()}.${table}`;
      const s = new SqlStore({ dialect, table: qualified, prefix: 'qualified:' });
      await s.migrate();
      const now = Date.now();
      const first = await s.acquire('k', 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
      expect(first.state).toBe('acquired');
      // The same table as the unqualified name: the plain store sees the record.
      const plain = new SqlStore({ dialect, table, prefix: 'qualified:' });
      expect((await plain.get('k', { now }))?.status).toBe('in_progress');
    });

    live(
      `sends ${STATEMENTS_PER_REQUEST[database.name].first} statements for a first execution and ${STATEMENTS_PER_REQUEST[database.name].replay} for a replay`,
      async () => {
        const { dialect: counted, statements } = database.counting();
        const runner = new IdempotencyRunner({ store: new SqlStore({ dialect: counted, table, prefix: `count-${Math.random()}:` }) });
        let executions = 0;
        const charge = () => runner.run('charge-1', async () => ({ id: 'ch_1', executions: ++executions }));
        const before = statements();
        expect(await charge()).toEqual({ id: 'ch_1', executions: 1 });
        const afterFirst = statements();
        expect(await charge()).toEqual({ id: 'ch_1', executions: 1 });
        expect({ first: afterFirst - before, replay: statements() - afterFirst }).toEqual(STATEMENTS_PER_REQUEST[database.name]);
      },
    );

    live(
      '4 processes × 50 concurrent duplicates of 20 keys: every key runs exactly once',
      async () => {
        process.env.IDEM_SQL_RACE = JSON.stringify({ name: database.name, table, ...database.childConfig });
        const result = await runProcessRace({
          factoryModule: require.resolve('./race-factory.ts'),
          cwd: `${__dirname}/..`,
          processes: 4,
          keys: 20,
          duplicates: 50,
          // A loaded machine can stall a child (better-sqlite3 waits for the write lock synchronously)
          // past the default 10 s lease; expiry and takeover are proven with injected time elsewhere.
          lockTtl: 60_000,
        });
        console.log(
          `${database.label} race: ${JSON.stringify({ duplicateExecutions: result.duplicateExecutions, keysNeverExecuted: result.keysNeverExecuted, replays: result.replays, errors: result.errors.length })}`,
        );
        expect(result.errors).toEqual([]);
        expect(result.duplicateExecutions).toBe(0);
        expect(result.keysNeverExecuted).toBe(0);
        expect(Object.values(result.executionsPerKey).every((n) => n === 1)).toBe(true);
      },
      90_000,
    );
  });
}
