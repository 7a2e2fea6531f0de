import { argument } from './argument';
import { runCell } from './load';
import { startServer } from './server-process';
const servers = argument('servers', 'express-bare.ts,express-idem-memory.ts').split(',');
const mode = argument('mode', 'first') as 'first' | 'replay';
const rounds = Number(argument('rounds', '3'));
const seconds = Number(argument('seconds', '5'));
const results: Record<string, number[]> = {};
for (let r = 0; r < rounds; r++) {
  for (const file of servers) {
    const server = await startServer(file, { env: { BENCH_TAG: `sc${Date.now()}` } });
    try {
      await runCell(server.url, mode, 1, 10, `warm-${r}-${file}`);
      const cell = await runCell(server.url, mode, seconds, 10, `k${Date.now()}-${r}-${file}`);
      (results[file] ??= []).push(cell.requestsPerSecond);
    } finally {
      await server.stop();
    }
  }
}
const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0;
const base = med(results[servers[0] as string] ?? []);
for (const f of servers)
  console.log(
    `${f.padEnd(32)} ${med(results[f] ?? [])
      .toFixed(0)
      .padStart(7)} req/s  ×${(med(results[f] ?? []) / base).toFixed(3)}  (${results[f]?.map((v) => v.toFixed(0)).join(' ')})`,
  );
