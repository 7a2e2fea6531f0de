/**
 * The store conformance suite: every rule of the store contract, run against any store. A third party
 * writing a store passes their runner's functions and a factory, exactly like idem's own stores do.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { IdempotencyStore } from '@idem/core';
import { serviceReachableSync, servicesRequired } from './services';
import type { TestApi, TestBody } from './test-api';

export interface StoreSuiteOptions {
  /** A fresh store; `prefix` is unique per call, so stores with different prefixes never share keys. */
  createStore(options: { prefix: string }): IdempotencyStore | Promise<IdempotencyStore>;
  /**
   * The server the store needs. Probed when the suite registers its tests: when nothing listens there,
   * every test is reported as **skipped** (with a loud message), unless `CI` or `IDEM_REQUIRE_SERVICES`
   * is set: then the tests run, and fail.
   */
  service?: { name: string; url: string };
  /** Resolves false when the backing service is missing (tests then return early). Default: available. */
  available?: () => Promise<boolean>;
  /** Runs after every test (drop tables, quit clients). The suite closes the stores it created. */
  teardown?: () => Promise<void>;
}

const TTL = 60_000;
const bytes = (text: string) => new TextEncoder().encode(text);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How a test moves through time. On the caller's clock it injects each instant (`now + offset`, no
 * sleeping) and checks times exactly. On a store's own clock `now` decides nothing, so the test sleeps
 * until the wall clock reaches each instant, with a shorter lease, a margin around every edge for the
 * round trips of a loaded machine, and times checked within that margin (the store's clock is this
 * machine's, seen through a round trip).
 */
interface Clock {
  /** The lease of the rules that do not travel in time: long enough that it never lapses under load. */
  lock: number;
  /** The lease the time-travel rules use. */
  short: number;
  /** How far past (or before) an edge "just after" (or "just before") is. */
  edge: number;
  /** Resolves the `now` to pass at `start + offset`, sleeping there first on a store's clock. */
  at(start: number, offset: number): Promise<number>;
  /** Asserts a time the store reports. */
  time(actual: number | undefined, expected: number, what: string): void;
}

const callerClock: Clock = {
  lock: 5_000,
  short: 5_000,
  edge: 1,
  at: async (start, offset) => start + offset,
  time: (actual, expected, what) => assert.equal(actual, expected, what),
};

const STORE_EDGE = 500;
const storeClock: Clock = {
  lock: 60_000,
  short: 1_500,
  edge: STORE_EDGE,
  async at(start, offset) {
    await sleep(start + offset - Date.now());
    return Date.now();
  },
  time(actual, expected, what) {
    assert.ok(
      actual !== undefined && Math.abs(actual - expected) <= STORE_EDGE,
      `${what}: ${actual} is not within ${STORE_EDGE} ms of ${expected}`,
    );
  },
};

export function storeConformanceSuite(test: TestApi, name: string, options: StoreSuiteOptions): void {
  const { describe, it, beforeAll, afterAll } = test;
  const created: IdempotencyStore[] = [];
  let available = true;
  let store: IdempotencyStore;
  let clock: Clock = callerClock;
  let LOCK = clock.lock;
  let SHORT = clock.short;

  const newStore = async (prefix = `idem-test-${randomUUID().slice(0, 8)}`) => {
    const fresh = await options.createStore({ prefix });
    created.push(fresh);
    return fresh;
  };
  const missing = missingService(options.service);
  const skip = (test.it as { skip?: (name: string, fn?: TestBody) => void }).skip;
  if (missing && typeof skip !== 'function')
    throw new Error('a store suite with a missing service needs a test runner whose `it` has `it.skip`');
  /** Each test body runs only when the service is there; a fresh key per test keeps tests independent. */
  const check = (title: string, body: (key: string, now: number) => Promise<void>, timeout = 30_000) => {
    if (missing) return skip!.call(test.it, `${title} (skipped: ${missing})`, () => undefined);
    it(
      title,
      async () => {
        if (!available) return;
        await body(`key-${randomUUID()}`, Date.now());
      },
      timeout,
    );
  };

  describe(`${name} store contract`, () => {
    beforeAll(async () => {
      if (missing) return;
      available = options.available ? await options.available() : true;
      if (!available) return;
      store = await newStore();
      clock = store.clock === 'store' ? storeClock : callerClock;
      LOCK = clock.lock;
      SHORT = clock.short;
    }, 60_000);
    afterAll(async () => {
      for (const each of created) await each.close();
      if (!missing) await options.teardown?.();
    }, 60_000);

    check('acquire on a new key returns a token', async (key, now) => {
      const result = await store.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
      assert.equal(result.state, 'acquired');
      assert.ok(result.state === 'acquired' && typeof result.token === 'string' && result.token.length > 0);
    });

    check('a second acquire sees the pending record and its lease', async (key, now) => {
      await store.acquire(key, 'fp-1', { lockTtlMs: LOCK, ttlMs: TTL, now });
      const second = await store.acquire(key, 'fp-2', { lockTtlMs: LOCK, ttlMs: TTL, now: now + 1 });
      assert.equal(second.state, 'in_progress');
      if (second.state !== 'in_progress') return;
      assert.equal(second.record.key, key);
      assert.equal(second.record.fingerprint, 'fp-1');
      assert.equal(second.record.status, 'in_progress');
      clock.time(second.record.lockExpiresAt, now + LOCK, 'lockExpiresAt');
      clock.time(second.record.expiresAt, now + TTL, 'expiresAt');
      assert.equal(second.record.createdAt, now);
    });

    check('complete stores the response and later acquires replay it', async (key, now) => {
      const first = await store.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
      assert.ok(first.state === 'acquired');
      assert.equal(await store.complete(key, first.token, bytes('paid'), { ttlMs: TTL, now: now + 10 }), true);
      const again = await store.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: now + 20 });
      assert.equal(again.state, 'completed');
      if (again.state !== 'completed') return;
      assert.deepEqual(Buffer.from(again.record.response ?? []), Buffer.from('paid'));
      assert.equal(again.record.fingerprint, 'fp');
      clock.time(again.record.expiresAt, now + 10 + TTL, 'expiresAt');
    });

    check('a completed record is returned whatever fingerprint asks (the manager decides on mismatch)', async (key, now) => {
      const first = await store.acquire(key, 'fp-a', { lockTtlMs: LOCK, ttlMs: TTL, now });
      assert.ok(first.state === 'acquired');
      await store.complete(key, first.token, bytes('x'), { ttlMs: TTL, now });
      const other = await store.acquire(key, 'fp-b', { lockTtlMs: LOCK, ttlMs: TTL, now: now + 1 });
      assert.equal(other.state, 'completed');
      assert.equal(other.state === 'completed' && other.record.fingerprint, 'fp-a');
    });

    check('complete with a wrong token is refused and leaves the lease in place', async (key, now) => {
      await store.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
      assert.equal(await store.complete(key, 'not-the-token', bytes('x'), { ttlMs: TTL, now }), false);
      const record = await store.get(key, { now });
      assert.equal(record?.status, 'in_progress');
    });

    check('completing twice is refused the second time', async (key, now) => {
      const first = await store.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
      assert.ok(first.state === 'acquired');
      assert.equal(await store.complete(key, first.token, bytes('one'), { ttlMs: TTL, now }), true);
      assert.equal(await store.complete(key, first.token, bytes('two'), { ttlMs: TTL, now }), false);
      assert.deepEqual(Buffer.from((await store.get(key, { now }))?.response ?? []), Buffer.from('one'));
    });

    check('release by the owner deletes the pending record so a retry acquires anew', async (key, now) => {
      const first = await store.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
      assert.ok(first.state === 'acquired');
      assert.equal(await store.release(key, first.token), true);
      assert.equal(await store.get(key, { now }), undefined);
      const retry = await store.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: now + 1 });
      assert.equal(retry.state, 'acquired');
      assert.ok(retry.state === 'acquired' && retry.token !== first.token);
    });

    check('release with a wrong token, or of a completed record, does nothing', async (key, now) => {
      const first = await store.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
      assert.ok(first.state === 'acquired');
      assert.equal(await store.release(key, 'not-the-token'), false);
      assert.equal((await store.get(key, { now }))?.status, 'in_progress');
      await store.complete(key, first.token, bytes('done'), { ttlMs: TTL, now });
      assert.equal(await store.release(key, first.token), false);
      assert.equal((await store.get(key, { now }))?.status, 'completed');
    });

    check('extend by the owner pushes the lease forward', async (key, now) => {
      const first = await store.acquire(key, 'fp', { lockTtlMs: SHORT, ttlMs: TTL, now });
      assert.ok(first.state === 'acquired');
      const renewed = await clock.at(now, SHORT - clock.edge);
      assert.equal(await store.extend(key, first.token, { lockTtlMs: SHORT, now: renewed }), true);
      // Past the first lease's end but inside the renewed one: still in progress, no takeover.
      const during = await store.acquire(key, 'fp', { lockTtlMs: SHORT, ttlMs: TTL, now: await clock.at(now, SHORT + clock.edge) });
      assert.equal(during.state, 'in_progress');
      clock.time(during.state === 'in_progress' ? during.record.lockExpiresAt : undefined, renewed + SHORT, 'lockExpiresAt');
    });

    check('a renewed lease outlives ttl: renewals push the record’s expiry to at least the lease end', async (key, now) => {
      // A handler running 3× ttl, renewed every third of its lease (as the manager does).
      const ttlMs = clock === storeClock ? SHORT / 3 : 1_000;
      const lockTtlMs = clock === storeClock ? SHORT : 600;
      const first = await store.acquire(key, 'fp', { lockTtlMs, ttlMs, now });
      assert.ok(first.state === 'acquired');
      let at = now;
      while (at < now + 3 * ttlMs) {
        at = await clock.at(at, lockTtlMs / 3);
        assert.equal(await store.extend(key, first.token, { lockTtlMs, now: at }), true, `renewal at +${at - now} ms refused`);
        const record = await store.get(key, { now: at });
        assert.equal(record?.status, 'in_progress', `record gone at +${at - now} ms`);
        assert.ok(record.expiresAt >= record.lockExpiresAt, 'the record expires before its lease');
        clock.time(record.lockExpiresAt, at + lockTtlMs, 'lockExpiresAt');
      }
      const duplicate = await store.acquire(key, 'fp', { lockTtlMs, ttlMs, now: at + 1 });
      assert.equal(duplicate.state, 'in_progress');
      // ttl counts from completion: the replay lives ttl after the handler finished.
      const done = await clock.at(at, 2);
      assert.equal(await store.complete(key, first.token, bytes('once'), { ttlMs, now: done }), true);
      const replay = await store.acquire(key, 'fp', { lockTtlMs, ttlMs, now: await clock.at(done, ttlMs - clock.edge) });
      assert.equal(replay.state, 'completed');
      clock.time(replay.state === 'completed' ? replay.record.expiresAt : undefined, done + ttlMs, 'expiresAt');
    });

    check('a pending record lives at least as long as its lease, even when ttl < lockTtl', async (key, now) => {
      const lockTtlMs = clock === storeClock ? 2 * SHORT : 2_000;
      const ttlMs = lockTtlMs / 4;
      const first = await store.acquire(key, 'fp', { lockTtlMs, ttlMs, now });
      assert.ok(first.state === 'acquired');
      // Past ttl from creation, inside the lease.
      const duplicate = await store.acquire(key, 'fp', { lockTtlMs, ttlMs, now: await clock.at(now, lockTtlMs / 2) });
      assert.equal(duplicate.state, 'in_progress');
      const done = await clock.at(now, (3 * lockTtlMs) / 4);
      assert.equal(await store.complete(key, first.token, bytes('once'), { ttlMs, now: done }), true);
      assert.equal((await store.get(key, { now: await clock.at(done, ttlMs - clock.edge) }))?.status, 'completed');
      assert.equal(await store.get(key, { now: await clock.at(done, ttlMs + clock.edge) }), undefined);
    });

    check(
      'a renewed lease outlives ttl on the wall clock too (native expiry such as PEXPIRE follows the renewals)',
      async (key) => {
        // Real time: a store's own expiry (Redis PEXPIRE, a TTL index) must follow the lease, not `ttl`.
        // The lease (1.5 s) is long next to each pause (600 ms), so a loaded machine's round trips do not
        // lapse it; the last renewal comes after both 3× ttl and the first lease's end.
        const ttlMs = 100;
        const lockTtlMs = 1_500;
        const pause = () => new Promise((resolve) => setTimeout(resolve, 600));
        const first = await store.acquire(key, 'fp', { lockTtlMs, ttlMs, now: Date.now() });
        assert.ok(first.state === 'acquired');
        for (let renewal = 1; renewal <= 3; renewal++) {
          await pause();
          assert.equal(await store.extend(key, first.token, { lockTtlMs, now: Date.now() }), true, `renewal ${renewal} refused`);
        }
        assert.equal((await store.acquire(key, 'fp', { lockTtlMs, ttlMs, now: Date.now() })).state, 'in_progress');
        assert.equal(await store.complete(key, first.token, bytes('once'), { ttlMs: 60_000, now: Date.now() }), true);
        assert.equal((await store.get(key))?.status, 'completed');
      },
      30_000,
    );

    check('extend with a wrong token is refused', async (key, now) => {
      await store.acquire(key, 'fp', { lockTtlMs: SHORT, ttlMs: TTL, now });
      assert.equal(await store.extend(key, 'not-the-token', { lockTtlMs: SHORT, now }), false);
    });

    check('an expired lease is taken over, and the stale owner can no longer complete, release or extend', async (key, now) => {
      const stale = await store.acquire(key, 'fp', { lockTtlMs: SHORT, ttlMs: TTL, now });
      assert.ok(stale.state === 'acquired');
      const later = await clock.at(now, SHORT + clock.edge);
      const takeover = await store.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: later });
      assert.equal(takeover.state, 'acquired');
      assert.ok(takeover.state === 'acquired' && takeover.token !== stale.token);
      if (takeover.state !== 'acquired') return;
      assert.equal(await store.extend(key, stale.token, { lockTtlMs: SHORT, now: later + 1 }), false);
      assert.equal(await store.complete(key, stale.token, bytes('stale'), { ttlMs: TTL, now: later + 2 }), false);
      assert.equal(await store.release(key, stale.token), false);
      assert.equal(await store.complete(key, takeover.token, bytes('fresh'), { ttlMs: TTL, now: later + 3 }), true);
      const record = await store.get(key, { now: later + 4 });
      assert.deepEqual(Buffer.from(record?.response ?? []), Buffer.from('fresh'));
    });

    check('a lease still valid is not taken over', async (key, now) => {
      await store.acquire(key, 'fp', { lockTtlMs: SHORT, ttlMs: TTL, now });
      const early = await store.acquire(key, 'fp', { lockTtlMs: SHORT, ttlMs: TTL, now: await clock.at(now, SHORT - clock.edge) });
      assert.equal(early.state, 'in_progress');
    });

    check('two app servers whose clocks differ by more than lockTtl: the store’s declared clock decides the lease', async (key) => {
      assert.ok(store.clock === undefined || store.clock === 'caller' || store.clock === 'store', `clock is ${String(store.clock)}`);
      // Two stores on one prefix: two app servers sharing the backend, one clock behind, one ahead (a
      // store on the caller's clock may hold its records in its own process: then one store, two clocks).
      const prefix = `idem-test-${randomUUID().slice(0, 8)}`;
      const behind = clock === storeClock ? await newStore(prefix) : store;
      const ahead = clock === storeClock ? await newStore(prefix) : store;
      const skew = 10 * LOCK;
      const wall = Date.now();
      const owner = await behind.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: wall - skew });
      assert.ok(owner.state === 'acquired');
      const rival = await ahead.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: wall + skew });
      if (clock === callerClock) {
        // Only the caller's clock exists here: a clock ahead by more than lockTtl takes the lease over
        // (why a shared store must keep its own clock).
        assert.equal(rival.state, 'acquired');
        assert.equal(await behind.extend(key, owner.token, { lockTtlMs: LOCK, now: wall - skew }), false);
        return;
      }
      assert.equal(rival.state, 'in_progress', 'a clock ahead by more than lockTtl took a live lease over');
      // The owner, whose clock is behind by more than lockTtl (and ttl), renews and completes as usual...
      assert.equal(await behind.extend(key, owner.token, { lockTtlMs: LOCK, now: wall - skew }), true);
      assert.equal(await behind.complete(key, owner.token, bytes('once'), { ttlMs: TTL, now: wall - 2 * TTL }), true);
      // ...and the server ahead by more than ttl replays it instead of finding it expired.
      const replay = await ahead.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now: wall + 2 * TTL });
      assert.equal(replay.state, 'completed');
      assert.equal((await ahead.get(key, { now: wall + 2 * TTL }))?.status, 'completed');
    });

    check('a completed record expires after its ttl', async (key, now) => {
      const first = await store.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
      assert.ok(first.state === 'acquired');
      const ttlMs = clock === storeClock ? 3 * clock.edge : 1_000;
      await store.complete(key, first.token, bytes('old'), { ttlMs, now });
      assert.equal((await store.get(key, { now: await clock.at(now, ttlMs - clock.edge) }))?.status, 'completed');
      const after = await clock.at(now, ttlMs + clock.edge);
      assert.equal(await store.get(key, { now: after }), undefined);
      const fresh = await store.acquire(key, 'fp-new', { lockTtlMs: LOCK, ttlMs: TTL, now: after });
      assert.equal(fresh.state, 'acquired');
      // Nothing of the expired record survives into the new one.
      const record = await store.get(key, { now: after + 1 });
      assert.equal(record?.status, 'in_progress');
      assert.equal(record?.fingerprint, 'fp-new');
      assert.equal(record?.response, undefined);
      assert.equal(record?.createdAt, after);
    });

    check('get returns the record and delete removes it', async (key, now) => {
      const first = await store.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
      assert.ok(first.state === 'acquired');
      await store.complete(key, first.token, bytes('body'), { ttlMs: TTL, now });
      const record = await store.get(key, { now });
      assert.equal(record?.key, key);
      assert.equal(record?.status, 'completed');
      assert.equal(record?.fingerprint, 'fp');
      await store.delete(key);
      assert.equal(await store.get(key, { now }), undefined);
      assert.equal(await store.get(`missing-${key}`, { now }), undefined);
    });

    check(
      '200 concurrent acquires of one key: exactly one acquires',
      async (key, now) => {
        const results = await Promise.all(
          Array.from({ length: 200 }, () => store.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now })),
        );
        assert.equal(results.filter((r) => r.state === 'acquired').length, 1);
        assert.equal(results.filter((r) => r.state === 'in_progress').length, 199);
      },
      60_000,
    );

    check(
      'a 1 MiB binary response round-trips byte for byte',
      async (key, now) => {
        const payload = new Uint8Array(randomBytes(1024 * 1024));
        payload[0] = 0;
        payload[1] = 0xff;
        const first = await store.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
        assert.ok(first.state === 'acquired');
        assert.equal(await store.complete(key, first.token, payload, { ttlMs: TTL, now }), true);
        const again = await store.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
        assert.ok(again.state === 'completed');
        assert.ok(Buffer.from(payload).equals(Buffer.from(again.record.response ?? [])));
      },
      60_000,
    );

    check('an empty response is stored as empty, not as missing', async (key, now) => {
      const first = await store.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
      assert.ok(first.state === 'acquired');
      assert.equal(await store.complete(key, first.token, new Uint8Array(), { ttlMs: TTL, now }), true);
      const record = await store.get(key, { now });
      assert.equal(record?.status, 'completed');
      assert.equal(record?.response?.length, 0);
    });

    check('stores with different prefixes never see each other’s keys', async (key, now) => {
      const other = await newStore();
      const mine = await store.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
      const theirs = await other.acquire(key, 'fp', { lockTtlMs: LOCK, ttlMs: TTL, now });
      assert.equal(mine.state, 'acquired');
      assert.equal(theirs.state, 'acquired');
      await store.delete(key);
      assert.equal((await other.get(key, { now }))?.status, 'in_progress');
    });

    check(
      'a prefix never runs into its keys: prefix "…a" with key "bK" and prefix "…ab" with key "K" are two records',
      async (key, now) => {
        // Joined as plain text (`prefix + key`) both would be one record, "…abK": one app would replay the other's answer.
        const base = `idem-test-${randomUUID().slice(0, 8)}`;
        const short = await newStore(`${base}a`);
        const long = await newStore(`${base}ab`);
        const first = await short.acquire(`b${key}`, 'fp-short', { lockTtlMs: LOCK, ttlMs: TTL, now });
        const second = await long.acquire(key, 'fp-long', { lockTtlMs: LOCK, ttlMs: TTL, now });
        assert.equal(first.state, 'acquired');
        assert.equal(second.state, 'acquired', 'the two prefixes share a record');
        assert.equal((await short.get(`b${key}`, { now }))?.fingerprint, 'fp-short');
        assert.equal((await long.get(key, { now }))?.fingerprint, 'fp-long');
      },
    );

    check('keys that differ only by a lone surrogate (or by U+FFFD) are kept apart', async (key, now) => {
      // Not UTF-8 encodable: a store that encodes keys as UTF-8 turns all three into the same U+FFFD.
      const keys = [`${key}\ud800`, `${key}\udc00`, `${key}\ufffd`, `${key}\uffff`, `${key}\ud800\udc00`];
      for (const [i, each] of keys.entries()) {
        const first = await store.acquire(each, `fp-${i}`, { lockTtlMs: LOCK, ttlMs: TTL, now });
        assert.equal(first.state, 'acquired', `key ${i} was merged with an earlier one`);
        assert.ok(first.state === 'acquired');
        assert.equal(await store.complete(each, first.token, bytes(`r${i}`), { ttlMs: TTL, now }), true);
      }
      for (const [i, each] of keys.entries()) {
        const record = await store.get(each, { now });
        assert.equal(record?.key, each);
        assert.equal(record?.fingerprint, `fp-${i}`);
        assert.equal(Buffer.from(record?.response ?? []).toString(), `r${i}`);
      }
    });

    check('keys of any content are kept apart and intact', async (key, now) => {
      const odd = [
        `${key}*`,
        `${key}?`,
        `${key}'; DROP TABLE x; --`,
        `${key} with spaces`,
        `${key}\\"quoted"`,
        `${key}:ünïcödé:日本語:🙂`,
        `${key}%00%2F`,
        `${key}{tag}`,
        `${key}${'x'.repeat(560)}`,
      ];
      for (const [i, oddKey] of odd.entries()) {
        const first = await store.acquire(oddKey, `fp-${i}`, { lockTtlMs: LOCK, ttlMs: TTL, now });
        assert.equal(first.state, 'acquired', oddKey);
        assert.ok(first.state === 'acquired');
        assert.equal(await store.complete(oddKey, first.token, bytes(`r${i}`), { ttlMs: TTL, now }), true);
      }
      for (const [i, oddKey] of odd.entries()) {
        const record = await store.get(oddKey, { now });
        assert.equal(record?.key, oddKey);
        assert.equal(record?.fingerprint, `fp-${i}`);
        assert.equal(Buffer.from(record?.response ?? []).toString(), `r${i}`);
      }
      assert.equal(await store.get(key, { now }), undefined);
    });
  });
}

/** Why the suite's service is missing (nothing listens at its URL), or undefined when it is there or required. */
function missingService(service: StoreSuiteOptions['service']): string | undefined {
  if (!service || servicesRequired() || serviceReachableSync(service.url)) return undefined;
  const reason = `${service.name} is not reachable at ${new URL(service.url).host}`;
  console.warn(`\n  SKIPPED: ${reason}. Start it, or set IDEM_REQUIRE_SERVICES=1 to make this a failure.\n`);
  return reason;
}
