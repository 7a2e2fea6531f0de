/**
 * Crash and lease proofs on real processes: an app process is SIGKILLed mid-handler, frozen past its
 * lease, or runs a handler far longer than its lease. Executions are counted through the events file,
 * which survives the kill. Every shared store is covered (the memory store lives in one process: it
 * has no second process to take over, so only the renewal case applies to it).
 */
import { allBackends, type Backend, type ProcessBackend, prismaPostgresBackend, prismaSqliteBackend } from './support/backends';
import { eventsFile, executionsOf, killAllApps, pay, readEvents, removeEventsDir, sleep, startApp, waitFor } from './support/apps';
import type { StoreConfig } from './support/store-factory';
import { reportTally, tally } from './support/tally';

reportTally('crash-and-lease');

const LOCK_TTL = 1_000;
const CLOCKS_DIFFER =
  'two processes whose clocks differ by 10× lockTtl: the one ahead never takes the live lease over, the one behind completes, every retry replays';

/**
 * Two app processes 5 s behind and 5 s ahead of the machine's clock race one key: leases run on the
 * store's clock, not theirs, so the one ahead sees the live lease (409) until the one behind completes.
 */
async function clocksDifferProof(store: StoreConfig, events: string): Promise<void> {
  const behind = await startApp({ store, events, lockTtl: LOCK_TTL, clockSkewMs: -5 * LOCK_TTL });
  const ahead = await startApp({ store, events, lockTtl: LOCK_TTL, clockSkewMs: 5 * LOCK_TTL });
  // One request each first: a store's first call may be slow (Prisma connects on it), and the race
  // below must fall inside the handler's run, not behind a connection being opened.
  for (const app of [behind, ahead]) expect((await pay(app, `warm-${Date.now()}-${app.pid}`)).status).toBe(201);
  const key = `skew-${Date.now()}`;

  const answer = pay(behind, key, { delayMs: 3 * LOCK_TTL });
  await waitFor(() => (executionsOf(events, key).length === 1 ? true : undefined), 10_000, 'the handler to start');
  const duplicates: number[] = [];
  let settled = false;
  void answer.finally(() => (settled = true));
  while (!settled) {
    const duplicate = await pay(ahead, key);
    if (duplicate.headers.get('idempotent-replayed') !== 'true') duplicates.push(duplicate.status);
    await sleep(100);
  }
  const first = await answer;
  expect(first.status).toBe(201);
  const body = await first.text();
  expect(duplicates.length).toBeGreaterThan(5);
  expect(new Set(duplicates)).toEqual(new Set([409]));
  for (const app of [ahead, behind]) {
    const replay = await pay(app, key);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.text()).toBe(body);
  }
  expect(readEvents(events).filter((e) => e.type === 'lease-lost')).toEqual([]);
  expect(executionsOf(events, key).map((e) => e.pid)).toEqual([behind.pid]);
  tally.executions += 3;
}

/** A backend's setup around every test of a describe block: prepared once, a fresh events file per test, every app killed after it. */
function eachTestOn(backend: ProcessBackend): { available: boolean; events: string } {
  const run = { available: false, events: '' };
  beforeAll(async () => {
    run.available = await backend.available();
    if (run.available) await backend.prepare();
  });
  beforeEach(() => {
    run.events = eventsFile();
  });
  afterEach(async () => {
    await killAllApps();
    removeEventsDir(run.events);
  });
  afterAll(() => backend.dispose());
  return run;
}

describe.each(allBackends().map((backend) => [backend.label, backend] as const))('%s: crash and lease', (_label, backend: Backend) => {
  const run = eachTestOn(backend);

  // A crash or a frozen owner needs a second process sharing the store: not registered for memory.
  const crossProcess = backend.crossProcess ? it : () => undefined;

  crossProcess(
    'a process SIGKILLed mid-handler: after lockTtl a retry on a second process runs once, later retries replay',
    async () => {
      if (!run.available) return;
      const key = `crash-${Date.now()}`;
      const first = await startApp({ store: backend.config, events: run.events, lockTtl: LOCK_TTL });
      const second = await startApp({ store: backend.config, events: run.events, lockTtl: LOCK_TTL });

      const doomed = pay(first, key, { delayMs: 30_000 }).catch((error: unknown) => error);
      await waitFor(() => (executionsOf(run.events, key).length === 1 ? true : undefined), 10_000, 'the first handler to start');
      await first.kill();
      tally.crashes++;
      // The client saw the connection die: no answer, so it will retry.
      expect((await doomed) as { status?: number }).not.toHaveProperty('status');

      // While the dead owner's lease is still live, a retry is told to come back later.
      const early = await pay(second, key);
      expect(early.status).toBe(409);
      expect(early.headers.get('retry-after')).toMatch(/^\d+$/);

      await sleep(LOCK_TTL + 100);
      const retry = await pay(second, key);
      expect(retry.status).toBe(201);
      const body = await retry.text();
      expect(JSON.parse(body).pid).toBe(second.pid);

      for (let i = 0; i < 5; i++) {
        const replay = await pay(second, key);
        expect(replay.status).toBe(201);
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
        expect(await replay.text()).toBe(body);
      }
      const executions = executionsOf(run.events, key);
      tally.executions += executions.length;
      // One run died with its process, the takeover ran once, nothing else ran.
      expect(executions.map((e) => e.pid)).toEqual([first.pid, second.pid]);
    },
    30_000,
  );

  crossProcess(
    'an owner frozen past its lease is fenced: its complete is refused, onLeaseLost fires, the second owner’s response stands',
    async () => {
      if (!run.available) return;
      const key = `frozen-${Date.now()}`;
      const first = await startApp({ store: backend.config, events: run.events, lockTtl: LOCK_TTL });
      const second = await startApp({ store: backend.config, events: run.events, lockTtl: LOCK_TTL });

      const frozenAnswer = pay(first, key, { delayMs: 400 });
      await waitFor(() => (executionsOf(run.events, key).length === 1 ? true : undefined), 10_000, 'the first handler to start');
      first.signal('SIGSTOP'); // stops the handler AND its lease renewals
      await sleep(LOCK_TTL + 200);

      const takeover = await pay(second, key);
      expect(takeover.status).toBe(201);
      const secondBody = await takeover.text();
      expect(JSON.parse(secondBody).pid).toBe(second.pid);

      first.signal('SIGCONT');
      const stale = await frozenAnswer;
      // The stale owner still answers its own client (its handler did run) but could not record it.
      expect(stale.status).toBe(201);
      expect(stale.headers.get('idempotent-replayed')).toBeNull();
      await waitFor(
        () => readEvents(run.events).find((e) => e.type === 'outcome' && e.pid === first.pid && e.key === key),
        5_000,
        'the stale outcome',
      );

      const log = readEvents(run.events);
      expect(log.filter((e) => e.type === 'lease-lost' && e.key !== undefined && e.pid === first.pid)).toHaveLength(1);
      expect(log.find((e) => e.type === 'outcome' && e.pid === first.pid)?.stored).toBe(false);
      expect(log.find((e) => e.type === 'outcome' && e.pid === second.pid)?.stored).toBe(true);

      for (const app of [first, second]) {
        const replay = await pay(app, key);
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
        expect(await replay.text()).toBe(secondBody);
      }
      tally.executions += executionsOf(run.events, key).length;
      // Two runs happened (the frozen one overran its lease) and that is exactly what onLeaseLost reported.
      expect(executionsOf(run.events, key)).toHaveLength(2);
    },
    30_000,
  );

  crossProcess(
    CLOCKS_DIFFER,
    async () => {
      if (!run.available) return;
      await clocksDifferProof(backend.config, run.events);
    },
    30_000,
  );

  it('a handler running 5× lockTtl keeps its lease by renewal: no duplicate enters', async () => {
    if (!run.available) return;
    const key = `long-${Date.now()}`;
    const owner = await startApp({ store: backend.config, events: run.events, lockTtl: LOCK_TTL });
    const other = backend.crossProcess ? await startApp({ store: backend.config, events: run.events, lockTtl: LOCK_TTL }) : owner;

    const started = Date.now();
    const answer = pay(owner, key, { delayMs: 5 * LOCK_TTL });
    await waitFor(() => (executionsOf(run.events, key).length === 1 ? true : undefined), 10_000, 'the handler to start');
    const duplicates: number[] = [];
    while (Date.now() - started < 5 * LOCK_TTL - 300) {
      duplicates.push((await pay(other, key)).status);
      await sleep(150);
    }
    const first = await answer;
    expect(first.status).toBe(201);
    expect(duplicates.length).toBeGreaterThan(20);
    expect(new Set(duplicates)).toEqual(new Set([409]));
    expect(readEvents(run.events).filter((e) => e.type === 'lease-lost')).toEqual([]);
    const replay = await pay(other, key);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(executionsOf(run.events, key)).toHaveLength(1);
    tally.executions += 1;
  }, 30_000);

  it('a handler running 3× ttl keeps its key by renewal: duplicates get 409, it runs once, onLeaseLost never fires', async () => {
    if (!run.available) return;
    // ttl counts from completion: a running handler's record lives as long as its renewed lease.
    const ttl = 500;
    const lockTtl = 600;
    const key = `outlives-ttl-${Date.now()}`;
    const owner = await startApp({ store: backend.config, events: run.events, lockTtl, ttl });
    const other = backend.crossProcess ? await startApp({ store: backend.config, events: run.events, lockTtl, ttl }) : owner;

    const answer = pay(owner, key, { delayMs: 3 * ttl });
    await waitFor(() => (executionsOf(run.events, key).length === 1 ? true : undefined), 10_000, 'the handler to start');
    const duplicates: number[] = [];
    let settled = false;
    void answer.finally(() => (settled = true));
    while (!settled) {
      const duplicate = await pay(other, key);
      // A duplicate that arrives after completion is a replay; before it, a conflict. Never a second run.
      if (duplicate.headers.get('idempotent-replayed') !== 'true') duplicates.push(duplicate.status);
      await sleep(50);
    }
    expect((await answer).status).toBe(201);
    expect(duplicates.length).toBeGreaterThan(5);
    expect(new Set(duplicates)).toEqual(new Set([409]));
    expect(readEvents(run.events).filter((e) => e.type === 'lease-lost')).toEqual([]);
    const replay = await pay(other, key);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(executionsOf(run.events, key)).toHaveLength(1);
    tally.executions += 1;
  }, 30_000);
});

// Prisma decides on the caller's clock by default; with `clock: 'store'` on the database's, and the
// same proof holds across processes.
describe.each([prismaPostgresBackend(), prismaSqliteBackend()].map((backend) => [backend.label, backend] as const))(
  "%s with clock: 'store'",
  (_label, backend) => {
    const run = eachTestOn(backend);

    it(CLOCKS_DIFFER, async () => {
      if (!run.available) return;
      await clocksDifferProof({ ...backend.config, clock: 'store' }, run.events);
    }, 40_000);
  },
);
