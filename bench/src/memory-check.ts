/**
 * Child process: pushes N unique keys through one memory store (the same request → record → response
 * path its middleware takes, without HTTP, so 200k keys take seconds) and prints the RSS growth. A
 * bounded store (idem: `maxEntries`) holds at most that many records; an unbounded one grows with N.
 * A store too slow to take N keys in the time allowed is reported with the count it reached.
 * Run: node --expose-gc --import tsx src/memory-check.ts <idem|express-idempotency|node-idempotency> <keys> <seconds>
 */
import { createRequire } from 'node:module';
import { idempotent } from '@idem/core';
import { MemoryStore } from '@idem/memory';
import { Idempotency } from '@node-idempotency/core';
import { MemoryStorageAdapter } from '@node-idempotency/storage-adapter-memory';

export interface MemoryResult {
  store: string;
  keys: number;
  seconds: number;
  held: number;
  /** `maxEntries` for a bounded store. */
  bound?: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  /** Live heap after a full GC: what the store really retains (RSS keeps the peak's pages). */
  heapAfterMiB: number;
}

const MAX_ENTRIES = 10_000;
const require = createRequire(import.meta.url);
const order = (i: number) => ({ id: `k-${i}`, amount: 4200, currency: 'eur', customer: 'cus_123', description: 'bench order' });
const answer = (i: number) => JSON.stringify({ id: `ord_${i}`, amount: 4200, currency: 'eur', status: 'created' });

type Step = (i: number) => Promise<void>;

function idemStep(): { step: Step; held: () => number; bound: number } {
  const store = new MemoryStore({ maxEntries: MAX_ENTRIES });
  const charge = idempotent(async (input: ReturnType<typeof order>) => answer(Number(input.id.slice(2))), {
    store,
    key: (input) => input.id,
  });
  return { step: async (i) => void (await charge(order(i))), held: () => store.size, bound: MAX_ENTRIES };
}

function expressIdempotencyStep(): { step: Step; held: () => number } {
  // The adapter the middleware uses by default (not exported from the package root).
  const { InMemoryDataAdapter } = require('express-idempotency/dist/defaults/inMemoryDataAdapter.js') as {
    InMemoryDataAdapter: new () => {
      idempotencyResources: unknown[];
      create(resource: unknown): Promise<void>;
      update(resource: unknown): Promise<void>;
    };
  };
  const adapter = new InMemoryDataAdapter();
  return {
    async step(i) {
      const request = {
        body: order(i),
        headers: { 'content-type': 'application/json', 'idempotency-key': `k-${i}` },
        method: 'POST',
        query: {},
        url: '/orders',
      };
      await adapter.create({ idempotencyKey: `k-${i}`, request });
      await adapter.update({
        idempotencyKey: `k-${i}`,
        request,
        response: { statusCode: 201, headers: { 'content-type': 'application/json' }, body: answer(i) },
      });
    },
    held: () => adapter.idempotencyResources.length,
  };
}

function nodeIdempotencyStep(): { step: Step; held: () => number } {
  const adapter = new MemoryStorageAdapter();
  const idempotency = new Idempotency(adapter);
  return {
    async step(i) {
      const request = { method: 'POST', path: '/orders', headers: { 'idempotency-key': `k-${i}` }, body: order(i) };
      await idempotency.onRequest(request);
      await idempotency.onResponse(request, { body: answer(i), additional: { status: 201 } });
    },
    held: () => (adapter as unknown as { cache: Map<string, unknown> }).cache.size,
  };
}

const toMiB = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const rssMiB = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return toMiB(process.memoryUsage().rss);
};

async function main() {
  const [which = 'idem', keysArg = '200000', secondsArg = '10'] = process.argv.slice(2);
  const target = Number(keysArg);
  const budgetMs = Number(secondsArg) * 1000;
  const subject = which === 'idem' ? idemStep() : which === 'express-idempotency' ? expressIdempotencyStep() : nodeIdempotencyStep();
  const rssBeforeMiB = rssMiB();
  const started = performance.now();
  let keys = 0;
  while (keys < target) {
    await subject.step(keys++);
    if (keys % 256 === 0 && performance.now() - started > budgetMs) break;
  }
  const seconds = (performance.now() - started) / 1000;
  const result: MemoryResult = {
    store: which,
    keys,
    seconds: Math.round(seconds * 10) / 10,
    held: subject.held(),
    bound: 'bound' in subject ? (subject.bound as number) : undefined,
    rssBeforeMiB,
    rssAfterMiB: rssMiB(),
    heapAfterMiB: toMiB(process.memoryUsage().heapUsed),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

await main();
