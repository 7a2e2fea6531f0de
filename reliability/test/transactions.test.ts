/**
 * Exactly-once database effects, on real processes and real servers (PostgreSQL, MariaDB, a SQLite
 * file, each through SqlStore; PostgreSQL and a SQLite file through PrismaStore, the handler writing
 * with Prisma's transaction client): the handler writes a `ledger` row with NO unique constraint through
 * `idempotencyTransaction(req)`, so any duplicate or leftover effect would show as a row. Counted from
 * the database itself:
 * - 4 processes × 50 concurrent duplicates × 20 keys → exactly 1 row per key;
 * - an owner SIGKILLed mid-transaction leaves 0 rows; the retry after lockTtl writes exactly 1;
 * - an owner SIGSTOPped past its lease commits nothing once resumed (PostgreSQL, MariaDB): 1 row, the
 *   second owner's, onLeaseLost once. SQLite has one writer: the frozen owner holds the write lock, so
 *   nobody can take over; its result stands and is the only row;
 * - database connections terminated mid-load → only first results, replays, 409s and 503s, and exactly
 *   1 row per key answered 2xx.
 */
import {
  mysqlBackend,
  postgresBackend,
  prismaPostgresBackend,
  prismaSqliteBackend,
  sqliteBackend,
  type ProcessBackend,
} from './support/backends';
import {
  eventsFile,
  executionsOf,
  killAllApps,
  pay,
  readEvents,
  removeEventsDir,
  sleep,
  startApp,
  waitFor,
  type AppProcess,
} from './support/apps';
import { killMysqlThreads, terminatePostgresBackends } from './support/connection-cuts';
import { mysqlLedger, postgresLedger, sqliteLedger, type LedgerTable } from './support/ledger';
import { runLoad, unexpectedAnswers } from './support/load';
import { reportTally, tally } from './support/tally';

reportTally('transactions');

const LOCK_TTL = 1_000;

interface LedgerBackend {
  backend: ProcessBackend;
  ledger: LedgerTable;
  /** One writer (SQLite): a frozen owner holds the write lock, so no takeover can happen while it is stopped. */
  singleWriter: boolean;
}

function withLedger(): LedgerBackend[] {
  const pg = postgresBackend();
  const my = mysqlBackend();
  const lite = sqliteBackend();
  return [
    { backend: pg, ledger: postgresLedger(pg.pool, `${pg.table}_ledger`), singleWriter: false },
    { backend: my, ledger: mysqlLedger(my.pool, `${my.table}_ledger`), singleWriter: false },
    { backend: lite, ledger: sqliteLedger(lite.db, `${lite.table}_ledger`), singleWriter: true },
    prismaOnPostgres(),
    prismaOnSqlite(),
  ];
}

// The Prisma schema's `Ledger` model maps to a table named `ledger`: each run has its own schema or file.
function prismaOnPostgres(): LedgerBackend {
  const backend = prismaPostgresBackend();
  return { backend, ledger: postgresLedger(backend.pool, 'ledger'), singleWriter: false };
}

function prismaOnSqlite(): LedgerBackend {
  const backend = prismaSqliteBackend();
  return { backend, ledger: sqliteLedger(backend.db, 'ledger'), singleWriter: true };
}

let events: string;
beforeEach(() => {
  events = eventsFile();
});
afterEach(async () => {
  await killAllApps();
  removeEventsDir(events);
});

const unique = (name: string) => `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

describe.each(withLedger().map((entry) => [entry.backend.label, entry] as const))(
  '%s: transactional handler',
  (_label, { backend, ledger, singleWriter }) => {
    let available = false;
    const app = (lockTtl = LOCK_TTL) => startApp({ store: backend.config, events, lockTtl, ledger: ledger.table });

    beforeAll(async () => {
      available = await backend.available();
      if (!available) return;
      await backend.prepare();
      await ledger.create();
    });
    afterAll(() => backend.dispose());

    it('4 processes × 50 concurrent duplicates × 20 keys: exactly 1 ledger row per key', async () => {
      if (!available) return;
      const apps = await Promise.all([app(30_000), app(30_000), app(30_000), app(30_000)]);
      const keys = Array.from({ length: 20 }, (_, i) => unique(`dup-${i}`));
      const firsts = new Map<string, number>();
      // Five keys at a time, each key's 50 duplicates all at once, spread over the 4 processes.
      for (let batch = 0; batch < keys.length; batch += 5) {
        await Promise.all(
          keys.slice(batch, batch + 5).map(async (key) => {
            const answers = await Promise.all(
              Array.from({ length: 50 }, async (_, i) => {
                const response = await pay(apps[i % apps.length]!, key, { delayMs: 50 });
                await response.arrayBuffer();
                return { status: response.status, replayed: response.headers.get('idempotent-replayed') === 'true' };
              }),
            );
            const unexpected = answers.filter((a) => a.status !== 201 && a.status !== 409);
            expect(unexpected).toEqual([]);
            firsts.set(key, answers.filter((a) => a.status === 201 && !a.replayed).length);
          }),
        );
      }
      const counts = await ledger.counts();
      for (const key of keys) {
        expect([key, counts.get(key)]).toEqual([key, 1]);
        expect([key, firsts.get(key)]).toEqual([key, 1]);
      }
      tally.executions += executionsOf(events).length;
      expect(executionsOf(events)).toHaveLength(keys.length);
    }, 120_000);

    it('an owner SIGKILLed mid-transaction leaves 0 rows; the retry after lockTtl writes exactly 1', async () => {
      if (!available) return;
      const key = unique('kill');
      const [first, second] = await Promise.all([app(), app()]);
      const doomed = pay(first, key, { delayMs: 30_000 }).catch((error: unknown) => error);
      await waitFor(() => readEvents(events).find((e) => e.type === 'ledger-written' && e.key === key), 10_000, 'the row to be written');
      await first.kill();
      tally.crashes++;
      expect((await doomed) as { status?: number }).not.toHaveProperty('status');
      expect(await ledger.rows(key)).toEqual([]);

      await sleep(LOCK_TTL + 200);
      const retry = await pay(second, key);
      expect(retry.status).toBe(201);
      expect(await ledger.rows(key)).toEqual([second.pid]);
      const replay = await pay(second, key);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(await ledger.rows(key)).toEqual([second.pid]);
      tally.executions += executionsOf(events, key).length;
    }, 30_000);

    it(singleWriter
      ? 'an owner SIGSTOPped past its lease keeps the only write lock: nobody takes over, its one row stands, no lease is lost'
      : 'an owner SIGSTOPped past its lease commits nothing once resumed: 1 row, the second owner’s; onLeaseLost once; its client gets 409 LEASE_LOST', async () => {
      if (!available) return;
      const key = unique('frozen');
      const [first, second] = await Promise.all([app(), app()]);
      const frozenAnswer = pay(first, key, { delayMs: 400 });
      await waitFor(() => readEvents(events).find((e) => e.type === 'ledger-written' && e.key === key), 10_000, 'the row to be written');
      first.signal('SIGSTOP'); // stops the handler, its open transaction and its lease renewals
      await sleep(LOCK_TTL + 300);
      const takeover = singleWriter ? pay(second, key) : Promise.resolve(await pay(second, key));
      if (singleWriter) {
        // The second process waits on SQLite's write lock (busy_timeout) for the frozen owner.
        await sleep(300);
        first.signal('SIGCONT');
        const [own, other] = await Promise.all([frozenAnswer, takeover]);
        expect(own.status).toBe(201);
        // The takeover either waited for the commit (a replay) or gave up on the lock first (503).
        expect([201, 503]).toContain(other.status);
        if (other.status === 201) expect(other.headers.get('idempotent-replayed')).toBe('true');
        expect(await ledger.rows(key)).toEqual([first.pid]);
        expect(readEvents(events).filter((e) => e.type === 'lease-lost')).toEqual([]);
      } else {
        const second201 = await takeover;
        expect(second201.status).toBe(201);
        expect(await ledger.rows(key)).toEqual([second.pid]);
        first.signal('SIGCONT');
        const stale = await frozenAnswer;
        expect(stale.status).toBe(409);
        expect(((await stale.json()) as { code?: string }).code).toBe('LEASE_LOST');
        expect(await ledger.rows(key)).toEqual([second.pid]);
        expect(readEvents(events).filter((e) => e.type === 'lease-lost' && e.pid === first.pid)).toHaveLength(1);
      }
      const replay = await pay(second, key);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      tally.executions += executionsOf(events, key).length;
    }, 30_000);
  },
);

/**
 * The app's database connections cut three times under a bounded load (`inject` returns how many it
 * cut): every answer stays a first result, replay, 409 or 503 with Retry-After, no key has two rows,
 * every key answered 201 has exactly one, and the app serves again by itself.
 */
function connectionsCutUnderLoad(
  title: string,
  make: () => LedgerBackend,
  openAdmin: (backend: ProcessBackend) => Promise<{ inject(app: AppProcess): Promise<number>; close(): Promise<void> }>,
): void {
  describe(title, () => {
    const { backend, ledger } = make();
    let available = false;
    beforeAll(async () => {
      available = await backend.available();
      if (!available) return;
      await backend.prepare();
      await ledger.create();
    });
    afterAll(() => backend.dispose());

    it('answers only first results, replays, 409s and 503s; exactly 1 row per key answered 2xx, never 2', async () => {
      if (!available) return;
      const app = await startApp({ store: backend.config, events, lockTtl: 60_000, ledger: ledger.table });
      const admin = await openAdmin(backend);
      let cut = 0;
      const inject = async () => {
        const count = await admin.inject(app);
        cut += count;
        tally.faults += count;
      };
      try {
        const answers = await runLoad(app, {
          keys: 60,
          copiesPerKey: 4,
          concurrency: 12,
          handlerMs: 20,
          keyPrefix: unique('cut'),
          at: [
            [40, inject],
            [100, inject],
            [170, inject],
          ],
        });
        expect(cut).toBeGreaterThan(0);
        expect(unexpectedAnswers(answers)).toEqual([]);
        const counts = await ledger.counts();
        const doubled = [...counts].filter(([, n]) => n > 1);
        expect(doubled).toEqual([]);
        for (const key of new Set(answers.filter((a) => a.status === 201).map((a) => a.key)))
          expect([key, counts.get(key)]).toEqual([key, 1]);
        const statuses: Record<string, number> = {};
        for (const a of answers)
          statuses[`${a.status}${a.replayed ? ' replay' : ''}`] = (statuses[`${a.status}${a.replayed ? ' replay' : ''}`] ?? 0) + 1;
        console.log(`${title}: ${cut} connections cut; answers ${JSON.stringify(statuses)}`);
        tally.executions += executionsOf(events).length;
      } finally {
        await admin.close();
      }
      // Serves again without a restart.
      const fresh = unique('after-cut');
      const answer = await waitFor(
        async () => {
          const response = await pay(app, fresh);
          return response.status === 503 ? (await sleep(200), undefined) : response;
        },
        20_000,
        'the app to serve again',
      );
      expect(answer.status).toBe(201);
      expect(await ledger.rows(fresh)).toEqual([app.pid]);
      expect(app.exited).toBe(false);
      expect(readEvents(events).filter((e) => e.type === 'unhandled-rejection' || e.type === 'uncaught-exception')).toEqual([]);
    }, 90_000);
  });
}

connectionsCutUnderLoad(
  'PostgreSQL backends of a transactional app terminated mid-load',
  () => {
    const pg = postgresBackend();
    return { backend: pg, ledger: postgresLedger(pg.pool, `${pg.table}_ledger`), singleWriter: false };
  },
  terminatePostgresBackends,
);

connectionsCutUnderLoad(
  'PostgreSQL backends of a transactional Prisma app terminated mid-load',
  prismaOnPostgres,
  terminatePostgresBackends,
);

connectionsCutUnderLoad(
  'MariaDB/MySQL connections of a transactional app KILLed mid-load',
  () => {
    const my = mysqlBackend();
    return { backend: my, ledger: mysqlLedger(my.pool, `${my.table}_ledger`), singleWriter: false };
  },
  killMysqlThreads,
);
