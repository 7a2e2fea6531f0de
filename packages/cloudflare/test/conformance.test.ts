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
    const store = new RemoteStore(workerd.url, kind, `expiry-${Date.now()}:`);
    const longAgo = Date.now() - 60_000;
    // Expired a minute ago in real time: the object's alarm is due at once.
    const expired = await store.acquire('expired', 'fp', { lockTtlMs: 1_000, ttlMs: 1_000, now: longAgo });
    const live = await store.acquire('live', 'fp', { lockTtlMs: 60_000, ttlMs: 60_000, now: Date.now() });
    expect(expired.state).toBe('acquired');
    expect(live.state).toBe('acquired');
    // Asking "as of long ago" shows whether the record is still physically there.
    await eventually(async () => (await store.get('expired', { now: longAgo })) === undefined);
    expect((await store.get('live'))?.status).toBe('in_progress');
  });
});
