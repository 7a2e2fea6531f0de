/**
 * What a payment API cares about before speed: bursts of concurrent duplicates of one key must run
 * the handler once, and a binary response must come back byte for byte. Executions are counted
 * inside the server (GET /__stats), not inferred from status codes.
 */
import { BINARY_BODY } from './servers/bench-app';
import { ORDER_BODY } from './load';
import type { RunningServer } from './server-process';

export interface CorrectnessResult {
  /** Handler executions per burst (1 is correct). */
  executionsPerBurst: number[];
  /** Status codes seen across all bursts, e.g. { 201: 5, 409: 245 }. */
  statuses: Record<number, number>;
  binaryReplay: 'identical' | string;
  /** A retry after a 500 answer, and after a thrown handler: 'ran again' is correct. */
  afterFailure: string;
  afterThrow: string;
  /** Everything this layer got wrong, in words (empty: correct). */
  failures: string[];
}

export async function checkCorrectness(
  server: RunningServer,
  bursts: number,
  burstSize: number,
  keyPrefix: string,
): Promise<CorrectnessResult> {
  const executionsPerBurst: number[] = [];
  const statuses: Record<number, number> = {};
  for (let burst = 0; burst < bursts; burst++) {
    const key = `${keyPrefix}-burst-${burst}`;
    const before = (await server.stats()).executions;
    const answers = await Promise.all(Array.from({ length: burstSize }, () => post(server.url, '/orders', key)));
    for (const { status } of answers) statuses[status] = (statuses[status] ?? 0) + 1;
    // A library that answers before it records may still be running handlers: let them land.
    await new Promise((resolve) => setTimeout(resolve, 50));
    executionsPerBurst.push((await server.stats()).executions - before);
  }
  const binaryReplay = await checkBinaryReplay(server.url, `${keyPrefix}-binary`);
  const afterFailure = await checkRetryAfterFailure(server, '/fails-once', `${keyPrefix}-fails`);
  const afterThrow = await checkRetryAfterFailure(server, '/throws-once', `${keyPrefix}-throws`);
  const failures: string[] = [];
  if (!executionsPerBurst.every((count) => count === 1))
    failures.push(`runs duplicates (${executionsPerBurst.join(', ')} executions per burst of ${burstSize})`);
  if (binaryReplay !== 'identical') failures.push(`binary replay mangled (${binaryReplay})`);
  if (afterFailure !== 'ran again') failures.push(`after a 500: ${afterFailure}`);
  if (afterThrow !== 'ran again') failures.push(`after a throw: ${afterThrow}`);
  return { executionsPerBurst, statuses, binaryReplay, afterFailure, afterThrow, failures };
}

/** The handler fails the first time; the retry with the same key must run it again and get its 201. */
async function checkRetryAfterFailure(server: RunningServer, path: string, key: string): Promise<string> {
  const first = await post(server.url, path, key);
  if (first.status !== 500) return `first answer ${first.status}, expected 500`;
  // A layer that releases the key after the answer went out gets a moment to do so.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const before = (await server.stats()).executions;
  const retry = await post(server.url, path, key);
  const ran = (await server.stats()).executions - before;
  if (retry.status === 201 && ran === 1) return 'ran again';
  if (retry.status === 500 && ran === 0) return '500 replayed';
  if (retry.status === 409) return 'key stuck (409 in progress)';
  return `retry answered ${retry.status}, handler ran ${ran}×`;
}

async function checkBinaryReplay(url: string, key: string): Promise<string> {
  const first = await post(url, '/binary', key);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const replay = await post(url, '/binary', key);
  if (!first.body.equals(BINARY_BODY)) return `first answer wrong (${first.status})`;
  if (replay.body.equals(BINARY_BODY)) return 'identical';
  return `differs: ${replay.status}, ${replay.body.length} B ${replay.contentType ?? ''}`.trim();
}

async function post(url: string, path: string, key: string) {
  try {
    const response = await fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: ORDER_BODY,
    });
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, body, contentType: response.headers.get('content-type') };
  } catch {
    return { status: 0, body: Buffer.alloc(0), contentType: null };
  }
}
