/**
 * The store conformance suite, its assertions unchanged in Node, against the Durable Object and D1
 * stores running inside workerd (miniflare) on real bindings.
 */
import { storeConformanceSuite } from '@idem/testkit';
import { RemoteStore } from './harness/remote-store';
import { startWorkerd, type Workerd } from './harness/workerd';
import type { StoreKind } from './worker/stores';

let workerd: Workerd;
beforeAll(async () => {
  workerd = await startWorkerd();
}, 60_000);
afterAll(() => workerd?.dispose());

const suites: Array<[string, StoreKind]> = [
  ['DurableObjectStore in workerd (one object per key)', 'durable-object'],
  ['DurableObjectStore in workerd (4 shards)', 'durable-object-sharded'],
  ['D1Store in workerd', 'd1'],
];
for (const [name, kind] of suites) {
  storeConformanceSuite({ describe, it, beforeAll, afterAll }, name, {
    createStore: ({ prefix }) => new RemoteStore(workerd.url, kind, prefix),
  });
}

describe('DurableObjectStore expiry in workerd', () => {
  /** Polls until `done` holds; the deadline only bounds a failing run, nothing is timed. */
  async function eventually(done: () => Promise<boolean>, deadlineMs = 10_000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error('the record was never deleted');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it.each<[string, StoreKind]>([
    ['one object per key', 'durable-object'],
    ['4 shards', 'durable-object-sharded'],
  ])('an alarm deletes an expired record from storage, a live one stays (%s)', async (_label, kind) => {
    const prefix = `expiry-${Date.now()}:`;
    const store = new RemoteStore(workerd.url, kind, prefix);
    const stored = async (key: string) =>
      (
        (await (
          await fetch(`${workerd.url}/__harness/stored`, { method: 'POST', body: JSON.stringify({ kind, prefix, key }) })
        ).json()) as {
          stored: boolean;
        }
      ).stored;
    // Expires 300 ms from now on the object's clock (a `now` long ago changes nothing: the object decides).
    const expired = await store.acquire('expired', 'fp', { lockTtlMs: 300, ttlMs: 300, now: Date.now() - 60_000 });
    const live = await store.acquire('live', 'fp', { lockTtlMs: 60_000, ttlMs: 60_000, now: Date.now() });
    expect(expired.state).toBe('acquired');
    expect(live.state).toBe('acquired');
    expect(await stored('expired')).toBe(true);
    await eventually(async () => !(await stored('expired')));
    expect(await stored('live')).toBe(true);
    expect((await store.get('live'))?.status).toBe('in_progress');
  });
});

describe('DurableObjectStore decides on the object’s clock', () => {
  it.each<[string, StoreKind]>([
    ['one object per key', 'durable-object'],
    ['4 shards', 'durable-object-sharded'],
  ])('a caller whose clock runs an hour ahead neither takes a live lease over nor sees a replay expired (%s)', async (_label, kind) => {
    const store = new RemoteStore(workerd.url, kind, `object-clock-${Date.now()}:`);
    const hour = 3_600_000;
    const owner = await store.acquire('k', 'fp', { lockTtlMs: 5_000, ttlMs: 60_000, now: Date.now() - hour });
    if (owner.state !== 'acquired') throw new Error('expected to acquire');
    expect((await store.acquire('k', 'fp', { lockTtlMs: 5_000, ttlMs: 60_000, now: Date.now() + hour })).state).toBe('in_progress');
    expect(await store.extend('k', owner.token, { lockTtlMs: 5_000, now: Date.now() - hour })).toBe(true);
    expect(await store.complete('k', owner.token, new TextEncoder().encode('once'), { ttlMs: 60_000, now: Date.now() - hour })).toBe(true);
    const replay = await store.acquire('k', 'fp', { lockTtlMs: 5_000, ttlMs: 60_000, now: Date.now() + hour });
    expect(replay.state).toBe('completed');
    // The replay window runs from completion on the object's clock, not from the caller's hour-old `now`.
    if (replay.state !== 'completed') return;
    expect(Math.abs(replay.record.expiresAt - (Date.now() + 60_000))).toBeLessThan(5_000);
  });
});
