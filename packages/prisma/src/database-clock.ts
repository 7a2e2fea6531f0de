/**
 * The database's clock for `clock: 'store'`. Prisma's model API cannot compare a column with the
 * database's `now()`, so the store reads the database's time itself, once, and from then on counts
 * forward from it on this process's monotonic clock (`performance.now()`, which no NTP step or
 * `date -s` moves). Every app server then dates its leases on the same clock, the database's, to within
 * half the round trip of that read (the quickest of a few), and each transition stays one statement.
 *
 * The reading is taken again every `RESYNC_MS` (in the background: the transition in hand does not
 * wait for it) and at once, before deciding anything, when the wall clock and the monotonic clock
 * stopped agreeing: the machine was suspended (the monotonic clock stood still) or its clock was set.
 */

/** The SQL that reads the database's clock as epoch milliseconds, per Prisma provider. */
const NOW_SQL: Record<string, string> = {
  // clock_timestamp(): the time as the statement runs (now() would be its transaction's start).
  postgresql: 'SELECT CAST(floor(extract(epoch FROM clock_timestamp()) * 1000) AS bigint) AS "now"',
  mysql: "SELECT (TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(3)) DIV 1000) AS `now`",
  sqlite: 'SELECT CAST((julianday(\'now\') - 2440587.5) * 86400000 AS INTEGER) AS "now"',
};

export const CLOCK_PROVIDERS = Object.keys(NOW_SQL);

/** How long one reading is counted forward before it is taken again. */
export const RESYNC_MS = 30_000;
/** How far the wall clock may run apart from the monotonic one before the reading is distrusted. */
export const JUMP_MS = 100;
/**
 * A reading is off by up to half its round trip, and a client's first query also connects (and Prisma
 * loads its query compiler): that one can take a second. So a reading is taken up to `READS` times, until
 * one comes back within `QUICK_MS`, and the quickest is kept.
 */
export const READS = 3;
export const QUICK_MS = 10;

type RawClient = { $queryRawUnsafe(sql: string): Promise<unknown> };

export interface DatabaseClockSources {
  /** Reads the database's time, epoch ms. */
  read(): Promise<number>;
  monotonic?: () => number;
  wall?: () => number;
}

interface Reading {
  /** The database's time, at `monotonic` (the middle of the round trip that read it). */
  database: number;
  monotonic: number;
  wall: number;
}

export class DatabaseClock {
  private reading: Reading | undefined;
  private reads: Promise<Reading> | undefined;
  private readonly read: () => Promise<number>;
  private readonly monotonic: () => number;
  private readonly wall: () => number;

  constructor({ read, monotonic = () => performance.now(), wall = () => Date.now() }: DatabaseClockSources) {
    this.read = read;
    this.monotonic = monotonic;
    this.wall = wall;
  }

  /** The database's time now, epoch ms. */
  async now(): Promise<number> {
    let reading = this.reading;
    if (!reading || !this.trusted(reading)) reading = await this.resync();
    else if (this.monotonic() - reading.monotonic > RESYNC_MS) this.resync().catch(() => undefined);
    return Math.round(reading.database + (this.monotonic() - reading.monotonic));
  }

  /** The monotonic clock ran as long as the wall clock since the reading: neither stood still nor jumped. */
  private trusted(reading: Reading): boolean {
    return Math.abs(this.wall() - reading.wall - (this.monotonic() - reading.monotonic)) <= JUMP_MS;
  }

  /** One read at a time: concurrent callers share it. */
  private resync(): Promise<Reading> {
    this.reads ??= this.take().finally(() => (this.reads = undefined));
    return this.reads;
  }

  private async take(): Promise<Reading> {
    let best: (Reading & { roundTrip: number }) | undefined;
    for (let attempt = 0; attempt < READS && !(best && best.roundTrip <= QUICK_MS); attempt++) {
      const sent = this.monotonic();
      const database = await this.read();
      const received = this.monotonic();
      const roundTrip = received - sent;
      // The database read its clock somewhere in the round trip: the middle is at most half of it off.
      if (!best || roundTrip < best.roundTrip)
        best = { database, monotonic: (sent + received) / 2, wall: this.wall() - roundTrip / 2, roundTrip };
    }
    const reading = { database: best!.database, monotonic: best!.monotonic, wall: best!.wall };
    this.reading = reading;
    return reading;
  }
}

/** Whether `clock: 'store'` knows how to read this provider's clock. */
export function readsClockOf(provider: unknown): provider is string {
  return typeof provider === 'string' && Object.hasOwn(NOW_SQL, provider);
}

/** The reader for a client whose provider `readsClockOf` accepted. */
export function databaseTime(prisma: RawClient, provider: string): () => Promise<number> {
  const sql = NOW_SQL[provider]!;
  return async () => {
    const rows = (await prisma.$queryRawUnsafe(sql)) as Array<{ now: unknown }>;
    const now = Number(rows[0]?.now);
    if (!Number.isFinite(now)) throw new Error(`the database answered its time as ${String(rows[0]?.now)}`);
    return now;
  };
}
