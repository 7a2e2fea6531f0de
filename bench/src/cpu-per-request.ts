/**
 * `tsx src/cpu-per-request.ts`: CPU µs per request of Express + idem (memory) over bare Express, in
 * one process, so the load of a shared machine barely moves it (it slows a process down, but adds
 * little to its own CPU time per request). A raw-socket keep-alive client sends the bench's order
 * request with a fresh key each time (`--mode first`) or one key (`--mode replay`); the client's own
 * cost is the same for every variant and cancels in the difference. Variants alternate over the
 * rounds and the median is reported.
 * Options: --requests N per cell (default 20000), --rounds N (default 5), --connections N (default 10),
 * --variant bare|idem (only that one, e.g. under `valgrind --tool=callgrind`).
 */
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { idempotency } from '@idem/express';
import { MemoryStore } from '@idem/memory';
import { createBenchApp } from './servers/bench-app';
import { ORDER_BODY } from './load';
import { argument } from './argument';

const requests = Number(argument('requests', '20000'));
const rounds = Number(argument('rounds', '5'));
const connections = Number(argument('connections', '10'));
const mode = argument('mode', 'first');
const only = argument('variant', '');

async function listen(app: ReturnType<typeof createBenchApp>): Promise<number> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    server.unref();
  });
}

let counter = 0;
function request(): string {
  const key = mode === 'replay' ? 'cpu-replay' : `cpu-${counter++}`;
  return (
    `POST /orders HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
    `idempotency-key: ${key}\r\ncontent-length: ${Buffer.byteLength(ORDER_BODY)}\r\n\r\n${ORDER_BODY}`
  );
}

/** One keep-alive connection sending `count` requests one after another; resolves on the last answer. */
function drive(port: number, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let left = count;
    let pending = '';
    socket.setEncoding('latin1');
    socket.on('connect', () => socket.write(request()));
    socket.on('error', reject);
    socket.on('data', (data: string) => {
      pending += data;
      for (;;) {
        const head = pending.indexOf('\r\n\r\n');
        if (head < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(pending.slice(0, head))?.[1] ?? 0);
        if (pending.length < head + 4 + length) return;
        if (!pending.startsWith('HTTP/1.1 201')) reject(new Error(pending.slice(0, 200)));
        pending = pending.slice(head + 4 + length);
        if (--left === 0) {
          socket.end();
          resolve();
          return;
        }
        socket.write(request());
      }
    });
  });
}

async function cell(port: number): Promise<number> {
  const perConnection = Math.ceil(requests / connections);
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: connections }, () => drive(port, perConnection)));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / (perConnection * connections);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function main() {
  const store = new MemoryStore();
  const variants = { bare: await listen(createBenchApp()), idem: await listen(createBenchApp({ protect: [idempotency({ store })] })) };
  const names = (only ? [only] : ['bare', 'idem']) as (keyof typeof variants)[];
  for (const name of names) await cell(variants[name]); // warm-up
  const results: Record<string, number[]> = { bare: [], idem: [] };
  for (let round = 0; round < rounds; round++) {
    for (const name of names) results[name]?.push(await cell(variants[name]));
  }
  for (const name of names)
    console.log(`${name} ${mode}: ${median(results[name] ?? []).toFixed(1)} µs/req (${results[name]?.map((v) => v.toFixed(1)).join(' ')})`);
  if (!only) console.log(`idem over bare: +${(median(results.idem ?? []) - median(results.bare ?? [])).toFixed(1)} µs/req`);
  await store.close();
}

await main();
