/**
 * The demo: starts the payments API on a free port, sends a first payment, a retry, 20 concurrent
 * duplicates, a reused key with another body and a request without a key, prints what happened, and
 * exits 1 if anything differs from what idem promises.
 */
import type { AddressInfo } from 'node:net';
import { createApp } from './app';

interface Answer {
  status: number;
  replayed: boolean;
  body: string;
}

interface Row {
  request: string;
  status: string;
  replayed: string;
  runs: number;
  ok: boolean;
}

const { app, executions } = createApp();
const server = app.listen(0, '127.0.0.1');
await new Promise<void>((resolve) => server.once('listening', () => resolve()));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

let requests = 0;
async function pay(key: string | undefined, body: object): Promise<Answer> {
  requests++;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== undefined) headers['idempotency-key'] = key;
  const response = await fetch(`${base}/payments`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, replayed: response.headers.get('idempotent-replayed') === 'true', body: await response.text() };
}

const rows: Row[] = [];
const row = (request: string, status: string, replayed: string, ok: boolean) =>
  rows.push({ request, status, replayed, runs: executions(), ok });
const order = { amount: 1000, currency: 'eur' };

const first = await pay('order-1', order);
row(
  'first payment (key order-1)',
  String(first.status),
  String(first.replayed),
  first.status === 201 && !first.replayed && executions() === 1,
);

const retry = await pay('order-1', order);
row(
  'retry, same key and body',
  String(retry.status),
  String(retry.replayed),
  retry.status === 201 && retry.replayed && retry.body === first.body && executions() === 1,
);

const before = executions();
const burst = await Promise.all(Array.from({ length: 20 }, () => pay('order-2', order)));
const counts = new Map<number, number>();
for (const answer of burst) counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
const created = burst.filter((a) => a.status === 201);
const burstOk =
  executions() - before === 1 &&
  created.length >= 1 &&
  created.every((a) => a.body === created[0]!.body) &&
  burst.every((a) => a.status === 201 || a.status === 409);
row(
  '20 concurrent duplicates (order-2)',
  [...counts].map(([status, n]) => `${status}×${n}`).join(' '),
  `${burst.filter((a) => a.replayed).length} of 20`,
  burstOk,
);

const mismatch = await pay('order-1', { amount: 99999, currency: 'eur' });
row('same key, another amount', String(mismatch.status), String(mismatch.replayed), mismatch.status === 422 && executions() === before + 1);

const noKey = await pay(undefined, order);
row('no Idempotency-Key', String(noKey.status), String(noKey.replayed), noKey.status === 400 && executions() === before + 1);

server.close();

const header: Row = { request: 'request', status: 'status', replayed: 'replayed', runs: 0, ok: true };
const widths = {
  request: Math.max(...[header, ...rows].map((r) => r.request.length)),
  status: Math.max(...[header, ...rows].map((r) => r.status.length)),
  replayed: Math.max(...[header, ...rows].map((r) => r.replayed.length)),
};
const line = (r: Row, runs: string, check: string) =>
  `${r.request.padEnd(widths.request)}  ${r.status.padEnd(widths.status)}  ${r.replayed.padEnd(widths.replayed)}  ${runs.padStart(12)}  ${check}`;
console.log(line(header, 'handler runs', ''));
console.log('-'.repeat(widths.request + widths.status + widths.replayed + 22));
for (const r of rows) console.log(line(r, String(r.runs), r.ok ? 'ok' : 'UNEXPECTED'));
const failed = rows.filter((r) => !r.ok).length;
console.log(
  failed === 0
    ? `\nAll ${rows.length} checks passed: ${requests} payment requests, ${executions()} charges.`
    : `\n${failed} check(s) failed.`,
);
process.exit(failed === 0 ? 0 : 1);
