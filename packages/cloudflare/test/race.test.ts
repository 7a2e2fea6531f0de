/**
 * Exactly-once across OS processes: four Node processes, each with its own event loop, fire their
 * duplicates at the same keys of a store running in workerd (one Worker, shared by all racers).
 */
import { runProcessRace } from '@idem/testkit';
import { startWorkerd, type Workerd } from './harness/workerd';
import type { StoreKind } from './worker/stores';

let workerd: Workerd;
beforeAll(async () => {
  workerd = await startWorkerd();
}, 60_000);
afterAll(() => workerd?.dispose());

const PROCESSES = 4;
const KEYS = 10;
const DUPLICATES = 10;

describe.each<[string, StoreKind]>([
  ['DurableObjectStore', 'durable-object'],
  ['D1Store', 'd1'],
])('%s in workerd under a multi-process race', (name, kind) => {
  it(`runs every key exactly once across ${PROCESSES} processes × ${DUPLICATES} duplicates × ${KEYS} keys`, async () => {
    process.env.IDEM_WORKERD_URL = workerd.url;
    process.env.IDEM_WORKERD_STORE = kind;
    const result = await runProcessRace({
      factoryModule: require.resolve('./harness/race-factory.ts'),
      cwd: `${__dirname}/..`,
      processes: PROCESSES,
      keys: KEYS,
      duplicates: DUPLICATES,
      // Keeps a stall of a loaded machine from becoming a (correct) takeover; takeover is proven with injected time.
      lockTtl: 60_000,
    });
    console.log(
      `${name} race: ${JSON.stringify({ duplicateExecutions: result.duplicateExecutions, keysNeverExecuted: result.keysNeverExecuted, replays: result.replays, errors: result.errors.length })}`,
    );
    expect(result.errors).toEqual([]);
    expect(result.duplicateExecutions).toBe(0);
    expect(result.keysNeverExecuted).toBe(0);
    expect(Object.values(result.executionsPerKey)).toEqual(Array(KEYS).fill(1));
    expect(result.replays).toBe(PROCESSES * DUPLICATES * KEYS - KEYS);
  }, 120_000);
});
