/** One racer of `runProcessRace`: builds its own store, waits for "go", then fires every duplicate. */
import { pathToFileURL } from 'node:url';
import { IdempotencyRunner, type IdempotencyStore } from '@idem/core';

interface RaceConfig {
  factoryModule: string;
  prefix: string;
  keys: string[];
  duplicates: number;
  handlerMs: number;
  lockTtl: number;
  waitTimeout: number;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.IDEM_RACE_CONFIG ?? '') as RaceConfig;
  const factory = (await import(pathToFileURL(config.factoryModule).href)) as {
    createStore?: (o: { prefix: string }) => IdempotencyStore | Promise<IdempotencyStore>;
    default?: { createStore?: (o: { prefix: string }) => IdempotencyStore | Promise<IdempotencyStore> };
  };
  const createStore = factory.createStore ?? factory.default?.createStore;
  if (!createStore) throw new Error(`${config.factoryModule} exports no createStore`);
  const store = await createStore({ prefix: config.prefix });
  const runner = new IdempotencyRunner({ store, onConflict: 'wait', waitTimeout: config.waitTimeout, lockTtl: config.lockTtl });
  const executed: string[] = [];
  const errors: string[] = [];
  let replays = 0;

  process.send?.({ type: 'ready' });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));

  await Promise.all(
    config.keys.flatMap((key) =>
      Array.from({ length: config.duplicates }, async () => {
        let ranHere = false;
        try {
          await runner.run(key, async () => {
            ranHere = true;
            executed.push(key);
            await new Promise((resolve) => setTimeout(resolve, config.handlerMs));
            return { key, pid: process.pid };
          });
          if (!ranHere) replays++;
        } catch (error) {
          errors.push(`${key}: ${(error as Error).message}`);
        }
      }),
    ),
  );
  process.send?.({ type: 'report', payload: { executed, replays, errors } });
  await store.close();
  process.disconnect?.();
}

main().catch((error) => {
  process.send?.({ type: 'error', error: String(error?.stack ?? error) });
  process.exitCode = 1;
});
