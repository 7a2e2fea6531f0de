import { waitFor } from './support/wait-for';
import { MemoryStore } from '@idem/memory';
import { type HttpResponse, type IdempotencyRequest, type IdempotencyStore } from '../src';
import { decodeResponse, Idempotency } from '../src/adapter';

const text = (body: Uint8Array) => Buffer.from(body).toString();
const request = (key: string): IdempotencyRequest => ({
  method: 'POST',
  url: '/payments',
  headers: { 'idempotency-key': key },
  body: new TextEncoder().encode('{"amount":5}'),
});
const ok = (body: string): HttpResponse => ({
  status: 201,
  headers: { 'content-type': 'text/plain' },
  body: new TextEncoder().encode(body),
});

let store: MemoryStore;
beforeEach(() => {
  store = new MemoryStore();
});
afterEach(() => store.close());

/** A store whose first `complete` lands but whose answer never comes back (a timeout after the write). */
function answerLostOnFirstComplete(inner: IdempotencyStore, calls: { complete: number }): IdempotencyStore {
  return Object.assign(Object.create(inner) as IdempotencyStore, {
    complete: async (...args: Parameters<IdempotencyStore['complete']>) => {
      calls.complete++;
      const owned = await inner.complete(...args);
      if (calls.complete === 1) throw new Error(`no answer within operationTimeout (owned: ${owned})`);
      return owned;
    },
  });
}

describe('Lease: complete whose answer was lost', () => {
  it('a background retry that finds its own write counts it as done: no onLeaseLost, the retry replays', async () => {
    const calls = { complete: 0 };
    const onLeaseLost = jest.fn();
    const onStoreError = jest.fn();
    const idem = new Idempotency({ store: answerLostOnFirstComplete(store, calls), lockTtl: 60, onLeaseLost, onStoreError });
    const first = await idem.handle(request('lost-answer'));
    if (first.action !== 'execute') throw new Error('expected execute');
    expect(await first.execution.finish(ok('charged once'))).toEqual({ stored: false });
    await waitFor(() => calls.complete >= 2);
    expect(onLeaseLost).not.toHaveBeenCalled();
    expect(onStoreError).toHaveBeenCalledTimes(1);
    const retry = await idem.handle(request('lost-answer'));
    expect(retry.action === 'respond' && retry.outcome.replayed).toBe(true);
    expect(retry.action === 'respond' && text(retry.response.body)).toBe('charged once');
  });

  it('still reports the lease lost when the record it finds is another owner’s, even with the same bytes', async () => {
    let clock = Date.now();
    const onLeaseLost = jest.fn();
    let failures = 1;
    const calls = { complete: 0 };
    // The stale owner's complete fails outright (nothing written); a takeover then completes first.
    const flaky = Object.assign(Object.create(store) as IdempotencyStore, {
      complete: (...args: Parameters<IdempotencyStore['complete']>) => {
        calls.complete++;
        return failures-- > 0 ? Promise.reject(new Error('ECONNRESET')) : store.complete(...args);
      },
    });
    const idem = new Idempotency({ store: flaky, lockTtl: 1_000, now: () => clock, onLeaseLost });
    const stale = await idem.handle(request('taken-over'));
    clock += 1_001; // the owner stalled past its lease
    const takeover = await idem.handle(request('taken-over'));
    if (stale.action !== 'execute' || takeover.action !== 'execute') throw new Error('expected two executions');
    expect(await stale.execution.finish(ok('same bytes'))).toEqual({ stored: false });
    expect(await takeover.execution.finish(ok('same bytes'))).toEqual({ stored: true });
    await waitFor(() => calls.complete >= 3);
    expect(onLeaseLost).toHaveBeenCalledTimes(1);
    const record = await store.get('taken-over', { now: clock });
    expect(text(decodeResponse(record!.response!).body)).toBe('same bytes');
  });
});
