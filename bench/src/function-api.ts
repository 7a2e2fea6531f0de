/**
 * Child process: the function API in one process. idem's `idempotent(fn)` on memory and Redis against
 * Powertools' `makeIdempotent` on its `CachePersistenceLayer` (`@redis/client`, as its docs set it up).
 * Calls per second with unique keys (every call runs fn) and with one key (every call is a replay),
 * and fn executions under bursts of concurrent duplicates of one key (1 is correct).
 * Run: node --import tsx src/function-api.ts '<json settings>'
 */
import { idempotent } from '@idem/core';
import { MemoryStore } from '@idem/memory';
import { RedisStore } from '@idem/redis';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { CachePersistenceLayer } from '@aws-lambda-powertools/idempotency/cache';
import { createClient } from '@redis/client';

interface Settings {
  seconds: number;
  concurrency: number;
  bursts: number;
  burstSize: number;
  redisUrl: string;
  tag: string;
  withRedis: boolean;
}

export interface FunctionResult {
  id: string;
  library: string;
  store: string;
  firstPerSecond: number;
  replayPerSecond: number;
  executionsPerBurst: number[];
}

interface Order {
  id: string;
  amount: number;
}

type Charge = (order: Order) => Promise<unknown>;

let executions = 0;
const charge = async (order: Order) => {
  executions++;
  return { charge: `ch_${order.id}`, amount: order.amount, status: 'succeeded' };
};

async function callsPerSecond(fn: Charge, seconds: number, concurrency: number, keyOf: (i: number) => string): Promise<number> {
  let calls = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) await fn({ id: keyOf(calls++), amount: 4200 });
    }),
  );
  return calls / ((performance.now() - started) / 1000);
}

async function duplicates(fn: Charge, bursts: number, burstSize: number, prefix: string): Promise<number[]> {
  const perBurst: number[] = [];
  for (let burst = 0; burst < bursts; burst++) {
    const before = executions;
    // A duplicate that is refused (in progress) throws: that is the correct answer, not a failure.
    await Promise.allSettled(Array.from({ length: burstSize }, () => fn({ id: `${prefix}-dup-${burst}`, amount: 4200 })));
    perBurst.push(executions - before);
  }
  return perBurst;
}

async function measure(id: string, library: string, store: string, fn: Charge, settings: Settings): Promise<FunctionResult> {
  const prefix = `${settings.tag}-${id}`;
  await callsPerSecond(fn, Math.min(0.5, settings.seconds), settings.concurrency, (i) => `${prefix}-warm-${i}`);
  const firstPerSecond = await callsPerSecond(fn, settings.seconds, settings.concurrency, (i) => `${prefix}-first-${i}`);
  await fn({ id: `${prefix}-replay`, amount: 4200 });
  const replayPerSecond = await callsPerSecond(fn, settings.seconds, settings.concurrency, () => `${prefix}-replay`);
  const executionsPerBurst = await duplicates(fn, settings.bursts, settings.burstSize, prefix);
  return { id, library, store, firstPerSecond, replayPerSecond, executionsPerBurst };
}

async function main() {
  const settings = JSON.parse(process.argv[2] ?? '{}') as Settings;
  const results: FunctionResult[] = [];
  const keyPrefix = `idem-bench:${settings.tag}:fn:`;

  const memoryStore = new MemoryStore();
  results.push(
    await measure('idem-memory', 'idem idempotent()', 'memory', idempotent(charge, { store: memoryStore, key: (o) => o.id }), settings),
  );
  await memoryStore.close();

  if (settings.withRedis) {
    const redisStore = new RedisStore({ url: settings.redisUrl, prefix: keyPrefix });
    results.push(
      await measure('idem-redis', 'idem idempotent()', 'redis', idempotent(charge, { store: redisStore, key: (o) => o.id }), settings),
    );
    await redisStore.close();

    const client = await createClient({ url: settings.redisUrl }).connect();
    const persistenceStore = new CachePersistenceLayer({ client });
    const config = new IdempotencyConfig({ eventKeyJmesPath: 'id' });
    // Outside Lambda there is no context: without one it warns on every call (and pays for the log).
    config.registerLambdaContext({ getRemainingTimeInMillis: () => 300_000 } as Parameters<IdempotencyConfig['registerLambdaContext']>[0]);
    const powertools = makeIdempotent(charge, {
      persistenceStore,
      config,
      keyPrefix: `${keyPrefix}powertools`,
    });
    results.push(await measure('powertools-redis', 'Powertools makeIdempotent', 'redis (@redis/client)', powertools, settings));
    await client.quit();
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
  process.exit(0);
}

await main();
