/**
 * A burst of concurrent duplicates, each on its own connection, at a Hono app in workerd that waits
 * for the first request's result (`onConflict: 'wait'`): the handler runs once and every client gets
 * the same stored answer, on each store.
 */
import { request } from 'node:http';
import { startScenarioWorkerd, type ScenarioWorkerd } from './harness/scenario-bridge';
import type { StoreKind } from './worker/stores';

const DUPLICATES = 150;

/** One POST on a connection of its own. */
function post(url: string, key: string): Promise<{ status: number; replayed: boolean; body: string }> {
  return new Promise((resolve, reject) => {
    const body = '{"amount":1999}';
    const req = request(
      `${url}/payments`,
      {
        method: 'POST',
        agent: false,
        headers: { 'idempotency-key': key, 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            replayed: res.headers['idempotent-replayed'] === 'true',
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe.each<[string, StoreKind]>([
  ['DurableObjectStore', 'durable-object'],
  ['D1Store', 'd1'],
])('%s: a burst of duplicates at Hono on workerd', (name, kind) => {
  let workerd: ScenarioWorkerd;
  let runs = 0;
  let url = '';
  beforeAll(async () => {
    workerd = await startScenarioWorkerd(kind);
    const server = await workerd.createServer({
      group: 'duplicate burst',
      observe: () => undefined,
      options: { store: workerd.createStore(), onConflict: 'wait', waitTimeout: 30_000 },
      handle: async () => {
        const run = ++runs;
        await new Promise((resolve) => setTimeout(resolve, 300));
        return {
          status: 201,
          headers: { 'content-type': 'application/json' },
          body: new TextEncoder().encode(JSON.stringify({ id: `pay_${run}` })),
        };
      },
    });
    url = server.url;
  }, 60_000);
  afterAll(() => workerd?.dispose());

  it(`runs the handler once for ${DUPLICATES} concurrent duplicates on ${DUPLICATES} connections; all get the same 201`, async () => {
    const key = `burst-${kind}-${Date.now()}`;
    const answers = await Promise.all(Array.from({ length: DUPLICATES }, () => post(url, key)));
    const replayed = answers.filter((a) => a.replayed).length;
    console.log(
      `${name} burst: ${JSON.stringify({ duplicates: DUPLICATES, handlerRuns: runs, status201: answers.filter((a) => a.status === 201).length, replayed, distinctBodies: new Set(answers.map((a) => a.body)).size })}`,
    );
    expect(runs).toBe(1);
    expect(answers.map((a) => a.status)).toEqual(Array(DUPLICATES).fill(201));
    expect(new Set(answers.map((a) => a.body))).toEqual(new Set(['{"id":"pay_1"}']));
    expect(replayed).toBe(DUPLICATES - 1);
  }, 60_000);
});
