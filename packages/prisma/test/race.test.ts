/**
 * Exactly-once across processes: several OS processes, each with its own PrismaClient, race
 * duplicates of the same keys through core's run() on SQLite (WAL file) and on PostgreSQL. The
 * children's leases are 60 s (`lockTtl`): on a loaded machine better-sqlite3's synchronous wait for the
 * write lock can stall a child past the default 10 s, and a duplicate would then rightly take the lease
 * over — lease expiry by design, covered with injected time in the conformance suite, not the point here.
 */
import { join } from 'node:path';
import { runProcessRace, serviceAvailable } from '@idem/testkit';
import { createSqliteDatabase } from './support/sqlite';
import { createPostgresSchema, dropPostgresSchema, uniqueSchemaName } from './support/postgres';

const cwd = join(__dirname, '..');
const RACE_LEASE = { lockTtl: 60_000 };

describe('PrismaStore multi-process race', () => {
  it('SQLite: 4 processes × 20 keys × 50 duplicates run each key exactly once', async () => {
    const database = createSqliteDatabase();
    process.env.IDEM_PRISMA_RACE_SQLITE = database.file;
    try {
      const result = await runProcessRace({ factoryModule: join(__dirname, 'support/race-factory-sqlite.ts'), cwd, ...RACE_LEASE });
      console.log(
        `SQLite race: ${JSON.stringify({ duplicates: result.duplicateExecutions, neverExecuted: result.keysNeverExecuted, replays: result.replays, errors: result.errors.length })}`,
      );
      expect(result.errors).toEqual([]);
      expect(result.duplicateExecutions).toBe(0);
      expect(result.keysNeverExecuted).toBe(0);
      expect(Object.values(result.executionsPerKey).every((n) => n === 1)).toBe(true);
    } finally {
      delete process.env.IDEM_PRISMA_RACE_SQLITE;
      database.remove();
    }
  }, 120_000);

  // 10 duplicates per key per process (40 concurrent callers per key): every waiting duplicate polls
  // through a 10-connection pool, and Prisma spends CPU on each query; at 50 per process a loaded
  // 2-core machine ran past the children's 30 s wait timeout (409s, never a duplicate execution).
  it('PostgreSQL: 4 processes × 20 keys × 10 duplicates run each key exactly once', async () => {
    const schema = uniqueSchemaName();
    if (!(await serviceAvailable('PostgreSQL', () => createPostgresSchema(schema)))) return;
    process.env.IDEM_PRISMA_RACE_PG_SCHEMA = schema;
    try {
      const result = await runProcessRace({
        factoryModule: join(__dirname, 'support/race-factory-postgres.ts'),
        cwd,
        duplicates: 10,
        ...RACE_LEASE,
      });
      console.log(
        `PostgreSQL race: ${JSON.stringify({ duplicates: result.duplicateExecutions, neverExecuted: result.keysNeverExecuted, replays: result.replays, errors: result.errors.length })}`,
      );
      expect(result.errors).toEqual([]);
      expect(result.duplicateExecutions).toBe(0);
      expect(result.keysNeverExecuted).toBe(0);
      expect(Object.values(result.executionsPerKey).every((n) => n === 1)).toBe(true);
    } finally {
      delete process.env.IDEM_PRISMA_RACE_PG_SCHEMA;
      await dropPostgresSchema(schema);
    }
  }, 120_000);
});
