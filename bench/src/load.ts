/** One autocannon cell: fixed connections and duration, unique keys (first executions) or one key (replays). */
import autocannon from 'autocannon';
import type { Mode } from './variants';

export interface CellResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Answers that were not 2xx, and socket errors / timeouts: a cell with any is flagged. */
  non2xx: number;
  errors: number;
  /** Requests answered in the cell. */
  requests: number;
  /** CPU time (user + system) of the server process per request over the cell, µs. */
  serverCpuUs?: number;
  /** Redis variants on the run's own redis-server: its CPU per request (INFO cpu), and its command time per request (INFO commandstats, script-nested calls counted once), µs. */
  redisCpuUs?: number;
  redisCommandUs?: number;
  /** The bare framework measured right before and right after this cell (mean): its reference. */
  bareRequestsPerSecond?: number;
  bareCpuUs?: number;
}

export const ORDER_BODY = JSON.stringify({ amount: 4200, currency: 'eur', customer: 'cus_123', description: 'bench order' });

export async function runCell(url: string, mode: Mode, seconds: number, connections: number, keyPrefix: string): Promise<CellResult> {
  let counter = 0;
  const replayKey = `${keyPrefix}-replay`;
  if (mode === 'replay') await prime(url, replayKey);
  const result = await autocannon({
    url: `${url}/orders`,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    body: ORDER_BODY,
    requests: [
      {
        // Bare runs send a key too, so every variant parses the same request.
        setupRequest: (request) => {
          const key = mode === 'replay' ? replayKey : `${keyPrefix}-${counter++}`;
          return { ...request, headers: { ...request.headers, 'idempotency-key': key } };
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    requests: result.requests.total,
  };
}

/** The first request of the replay key: afterwards every request of the cell is a replay. */
export async function prime(url: string, key: string): Promise<void> {
  const response = await fetch(`${url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: ORDER_BODY,
  });
  await response.arrayBuffer();
}
