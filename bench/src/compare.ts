/**
 * `pnpm --filter @idem/bench compare --servers a.ts,b.ts[,…]`: a quick A/B of a few server files (under
 * `src/servers/`), each in its own process like the full run, alternating over the rounds, the median
 * req/s of each and its ratio to the first. For trying a change on the hot path in a minute or two,
 * not for the record (the full `pnpm bench` is). Options: --mode first|replay (default first),
 * --rounds N (default 3), --seconds N per cell (default 5).
 */
import { argument } from './argument';
import { runCell } from './load';
import { startServer } from './server-process';

const servers = argument('servers', 'express-bare.ts,express-idem-memory.ts').split(',');
const mode = argument('mode', 'first') === 'replay' ? 'replay' : 'first';
const rounds = Number(argument('rounds', '3'));
const seconds = Number(argument('seconds', '5'));
const tag = `cmp${Date.now().toString(36)}`;
const results = new Map<string, number[]>(servers.map((file) => [file, []]));

for (let round = 0; round < rounds; round++) {
  for (const file of servers) {
    const server = await startServer(file, { env: { BENCH_TAG: tag } });
    try {
      await runCell(server.url, mode, 1, 10, `${tag}-warm-${round}-${file}`);
      results.get(file)?.push((await runCell(server.url, mode, seconds, 10, `${tag}-${round}-${file}`)).requestsPerSecond);
    } finally {
      await server.stop();
    }
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const base = median(results.get(servers[0] as string) ?? []);
for (const [file, values] of results) {
  const each = values.map((value) => value.toFixed(0)).join(' ');
  console.log(`${file.padEnd(34)} ${median(values).toFixed(0).padStart(7)} req/s  ×${(median(values) / base).toFixed(3)}  (${each})`);
}
