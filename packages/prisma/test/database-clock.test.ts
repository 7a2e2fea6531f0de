/**
 * The database's clock as `clock: 'store'` reads it: once, then counted forward on the monotonic
 * clock, read again in the background every RESYNC_MS, and at once when the wall clock and the
 * monotonic clock stop agreeing. The database is real (SQLite's clock through Prisma); only the
 * process's own two clocks are driven by the test, to make suspends and clock steps happen.
 */
import { DatabaseClock, JUMP_MS, RESYNC_MS, databaseTime } from '../src/database-clock';
import { createSqliteDatabase, sqlitePrisma } from './support/sqlite';

const database = createSqliteDatabase();
const prisma = sqlitePrisma(database.file);
afterAll(async () => {
  await prisma.$disconnect();
  database.remove();
});

/** A clock over the real database, whose process clocks the test moves, counting its reads. */
function driven() {
  const time = { monotonic: 1_000, wall: Date.now() };
  let reads = 0;
  let failing = false;
  const read = databaseTime(prisma, 'sqlite');
  const clock = new DatabaseClock({
    read: async () => {
      reads++;
      if (failing) throw new Error('database unreachable');
      return read();
    },
    monotonic: () => time.monotonic,
    wall: () => time.wall,
  });
  const pass = (ms: number) => {
    time.monotonic += ms;
    time.wall += ms;
  };
  return { clock, time, pass, reads: () => reads, fail: (on: boolean) => (failing = on) };
}

describe('DatabaseClock', () => {
  it('reads the database once, then counts forward on the monotonic clock', async () => {
    const { clock, pass, reads } = driven();
    const before = Date.now();
    const first = await clock.now();
    expect(Math.abs(first - before)).toBeLessThan(1_000); // SQLite's clock is this machine's
    pass(5_000);
    expect(await clock.now()).toBe(first + 5_000);
    pass(RESYNC_MS - 5_000);
    expect(await clock.now()).toBe(first + RESYNC_MS);
    expect(reads()).toBe(1);
  });

  it('concurrent first calls share one read', async () => {
    const { clock, reads } = driven();
    const answers = await Promise.all(Array.from({ length: 20 }, () => clock.now()));
    expect(new Set(answers).size).toBe(1);
    expect(reads()).toBe(1);
  });

  it('past RESYNC_MS it reads again in the background: the call in hand answers from the old reading', async () => {
    const { clock, pass, reads } = driven();
    const first = await clock.now();
    pass(RESYNC_MS + 1);
    expect(await clock.now()).toBe(first + RESYNC_MS + 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reads()).toBe(2);
  });

  it('a machine that was suspended (the monotonic clock stood still) reads again before answering', async () => {
    const { clock, time, reads } = driven();
    const first = await clock.now();
    time.wall += 60_000; // suspended for a minute: only the wall clock moved
    const after = await clock.now();
    expect(reads()).toBe(2);
    // The fresh reading is the database's real time, not the stale count (which would say `first`).
    expect(after - first).toBeLessThan(1_000);
  });

  it('a wall clock set by more than JUMP_MS reads again; a smaller slew does not', async () => {
    const { clock, time, reads } = driven();
    await clock.now();
    time.wall += JUMP_MS - 10;
    await clock.now();
    expect(reads()).toBe(1);
    time.wall -= 10 * JUMP_MS;
    await clock.now();
    expect(reads()).toBe(2);
  });

  it('a failed read rejects; the next call reads again', async () => {
    const { clock, reads, fail } = driven();
    fail(true);
    await expect(clock.now()).rejects.toThrow('database unreachable');
    fail(false);
    await expect(clock.now()).resolves.toEqual(expect.any(Number));
    expect(reads()).toBe(2);
  });

  it('a slow read (a first query that also connects) is taken again, and the quickest reading is kept', async () => {
    const time = { monotonic: 0, wall: 1_000_000 };
    const trips = [2_000, 40, 4];
    let reads = 0;
    const clock = new DatabaseClock({
      read: async () => {
        const trip = trips[reads++]!;
        // The database reads its clock at the very end of the trip: a reading kept from the slow trip
        // would count from its middle and run 1 000 ms ahead.
        time.monotonic += trip;
        time.wall += trip;
        return time.wall;
      },
      monotonic: () => time.monotonic,
      wall: () => time.wall,
    });
    const answer = await clock.now();
    expect(reads).toBe(3);
    expect(answer - time.wall).toBe(2); // half the quickest trip, not half of 2 000 ms
  });

  it('reads PostgreSQL-style and SQLite-style answers as epoch milliseconds', async () => {
    const value = await databaseTime(prisma, 'sqlite')();
    expect(Number.isSafeInteger(value)).toBe(true);
    await expect(databaseTime({ $queryRawUnsafe: async () => [{ now: 'soon' }] }, 'postgresql')()).rejects.toThrow(
      /answered its time as soon/,
    );
  });
});
