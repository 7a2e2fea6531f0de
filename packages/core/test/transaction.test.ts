/**
 * Core's side of transactional completion, on a store that stages its transaction's writes in memory:
 * which answer each ending gives (committed, lease lost, database failure, COMMIT unanswered), that
 * the key is released or kept accordingly, and that a transaction always ends exactly once.
 */
import { MemoryStore } from '@idem/memory';
import {
  CommitOutcomeUnknownError,
  ConfigurationError,
  IdempotencyRunner,
  LeaseLostError,
  StorageError,
  type HttpResponse,
  type StoreTransaction,
  type TransactionalStore,
} from '../src';
import { Idempotency, requestTransactions } from '../src/adapter';

type Ending = 'commit' | 'fail' | 'unknown';

/** A MemoryStore whose transactions keep writes aside until COMMIT, which can be made to fail. */
class StagingStore extends MemoryStore implements TransactionalStore<string[]> {
  readonly committed: string[] = [];
  open = 0;
  ending: Ending = 'commit';

  async beginTransaction(): Promise<StoreTransaction<string[]>> {
    const staged: string[] = [];
    this.open++;
    const end = () => void this.open--;
    return {
      handle: staged,
      complete: async (key, token, response, options) => {
        const ending = this.ending;
        if (ending === 'fail') {
          end();
          throw new StorageError('the connection broke before COMMIT');
        }
        if (ending === 'unknown') {
          // COMMIT was sent, the answer lost; here it did not commit.
          end();
          throw new CommitOutcomeUnknownError({ cause: new Error('socket closed') });
        }
        const owned = await this.complete(key, token, response, options);
        end();
        if (!owned) return false;
        this.committed.push(...staged);
        return true;
      },
      commit: async () => {
        end();
        this.committed.push(...staged);
      },
      rollback: async () => end(),
    };
  }
}

let store: StagingStore;
beforeEach(() => {
  store = new StagingStore();
});
afterEach(() => store.close());

const request = { method: 'POST', url: '/pay', headers: { 'idempotency-key': 'k1' } };
const created: HttpResponse = { status: 201, headers: { 'content-type': 'text/plain' }, body: new TextEncoder().encode('paid') };

async function execute(manager: Idempotency) {
  const decision = await manager.handle(request);
  if (decision.action !== 'execute') throw new Error(`expected execute, got ${decision.action}`);
  return decision.execution;
}

describe('transactional completion in core', () => {
  it('finish commits the transaction with the record; the retry replays', async () => {
    const manager = new Idempotency({ store });
    const execution = await execute(manager);
    await execution.transaction(async (tx: string[]) => tx.push('ledger row'));
    expect(await execution.finish(created)).toEqual({ stored: true });
    expect(store.committed).toEqual(['ledger row']);
    expect(await manager.handle(request)).toMatchObject({ action: 'respond', outcome: { replayed: true } });
    expect(store.open).toBe(0);
  });

  it('a lease lost before finish: rolled back, the client is answered 409 LEASE_LOST with Retry-After, onLeaseLost once', async () => {
    const lost: string[] = [];
    const manager = new Idempotency({ store, lockTtl: 2_000, onLeaseLost: (key) => lost.push(key) });
    const execution = await execute(manager);
    await execution.transaction(async (tx: string[]) => tx.push('stale row'));
    await store.acquire(execution.key, '', { lockTtlMs: 2_000, ttlMs: 60_000, now: Date.now() + 5_000 });
    const { stored, response } = await execution.finish(created);
    expect(stored).toBe(false);
    expect(response?.status).toBe(409);
    expect(response?.headers['retry-after']).toBe('2');
    expect(JSON.parse(new TextDecoder().decode(response!.body)).code).toBe('LEASE_LOST');
    expect(store.committed).toEqual([]);
    expect(lost).toEqual(['k1']);
    expect(store.open).toBe(0);
  });

  it('the database failing before COMMIT: 503, nothing committed, the key released so a retry runs at once', async () => {
    const errors: string[] = [];
    const manager = new Idempotency({ store, onStoreError: (error) => errors.push(error.code) });
    const execution = await execute(manager);
    await execution.transaction(async (tx: string[]) => tx.push('row'));
    store.ending = 'fail';
    const { stored, response } = await execution.finish(created);
    expect([stored, response?.status]).toEqual([false, 503]);
    expect(response?.headers['retry-after']).toMatch(/^\d+$/);
    expect(errors).toEqual(['STORAGE_ERROR']);
    expect(await store.get(execution.key)).toBeUndefined();
    expect((await manager.handle(request)).action).toBe('execute');
  });

  it('COMMIT unanswered: 503, and the lease is kept so a retry waits for it instead of maybe running twice', async () => {
    const manager = new Idempotency({ store });
    const execution = await execute(manager);
    await execution.transaction(async (tx: string[]) => tx.push('row'));
    store.ending = 'unknown';
    expect((await execution.finish(created)).response?.status).toBe(503);
    expect(store.committed).toEqual([]);
    expect(await manager.handle(request)).toMatchObject({ action: 'respond', response: { status: 409 } });
  });

  it('a 5xx answer (shouldStore false) rolls back and releases; abort does too', async () => {
    const manager = new Idempotency({ store });
    const failed = await execute(manager);
    await failed.transaction(async (tx: string[]) => tx.push('row'));
    expect(await failed.finish({ ...created, status: 500 })).toEqual({ stored: false });
    const aborted = await execute(manager);
    await aborted.transaction(async (tx: string[]) => tx.push('row'));
    await aborted.abort();
    expect(store.committed).toEqual([]);
    expect(store.open).toBe(0);
    expect((await manager.handle(request)).action).toBe('execute');
  });

  it('without a transaction, finish records as before and later transaction() calls are refused', async () => {
    const manager = new Idempotency({ store });
    const execution = await execute(manager);
    expect(await execution.finish(created)).toEqual({ stored: true });
    await expect(execution.transaction(async () => 1)).rejects.toBeInstanceOf(ConfigurationError);
    expect(store.open).toBe(0);
  });

  it('a store without transactions: transaction() rejects with ConfigurationError naming the stores that have them', async () => {
    const plain = new MemoryStore();
    const execution = await execute(new Idempotency({ store: plain }));
    await expect(execution.transaction(async () => 1)).rejects.toThrow(/@idem\/sql or @idem\/prisma/);
    await execution.abort();
    await plain.close();
  });

  it('failOpen: when the store cannot acquire, the handler’s transaction commits on its own', async () => {
    store.acquire = async () => {
      throw new Error('store down');
    };
    const manager = new Idempotency({ store, failOpen: true, onStoreError: () => undefined });
    const execution = await execute(manager);
    expect(execution.protected).toBe(false);
    await execution.transaction(async (tx: string[]) => tx.push('unprotected row'));
    expect(await execution.finish(created)).toEqual({ stored: false });
    expect(store.committed).toEqual(['unprotected row']);
    const runner = new IdempotencyRunner({ store, failOpen: true, onStoreError: () => undefined });
    await runner.run('k', (context) => context.transaction(async (tx: string[]) => tx.push('run row')));
    expect(store.committed).toEqual(['unprotected row', 'run row']);
  });

  it('run(): lease lost throws LeaseLostError; a throwing serializer rolls back and releases', async () => {
    const runner = new IdempotencyRunner({ store });
    await expect(
      runner.run('lost', async (context) => {
        await context.transaction(async (tx: string[]) => tx.push('row'));
        await store.acquire(context.key, '', { lockTtlMs: 1_000, ttlMs: 60_000, now: Date.now() + 60_000 });
      }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    await expect(runner.run('cycle', (context) => context.transaction(async () => cyclic))).rejects.toThrow();
    expect(store.open).toBe(0);
    expect(await store.get('cycle')).toBeUndefined();
    expect(store.committed).toEqual([]);
  });

  it('passTransaction commits as soon as its work resolves, and rolls back when it throws', async () => {
    const manager = new Idempotency({ store });
    expect(await manager.passTransaction(async (tx: string[]) => tx.push('passed row'))).toBe(1);
    expect(store.committed).toEqual(['passed row']);
    await expect(
      manager.passTransaction(async (tx: string[]) => {
        tx.push('failed row');
        throw new Error('declined');
      }),
    ).rejects.toThrow('declined');
    expect(store.committed).toEqual(['passed row']);
    expect(store.open).toBe(0);
  });

  it('requestTransactions: the runner set for a request, ConfigurationError for one never seen', async () => {
    const slot = requestTransactions<object>('idempotencyTransaction(req)');
    const seen = {};
    const manager = new Idempotency({ store });
    slot.set(seen, manager.passTransaction);
    expect(slot.get(seen)).toBe(manager.passTransaction);
    expect(() => slot.get({})).toThrow(ConfigurationError);
    expect(() => slot.get({})).toThrow(/idempotencyTransaction\(req\)/);
  });
});
