/**
 * `pnpm --filter @idem/bench compare --servers a.ts,b.ts[,…]`: a quick A/B of a few server files (under
 * `src/servers/`), each in its own process like the full run, alternating over the rounds, the median
 * req/s of each and its ratio to the first. For trying a change on the hot path in a minute or two,
 * not for the record (the full `pnpm bench` is). Options: --mode first|replay (default first),
 * --rounds N (default 3), --seconds N per cell (default 5).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argument } from './argument';
import { dropMysqlTable, dropPgTable, removeRedisKeys, removeSqliteFile } from './cleanup';
import { runCell } from './load';
import { startServer } from './server-process';
import { availableServices } from './services';

const servers = argument('servers', 'express-bare.ts,express-idem-memory.ts').split(',');
const mode = argument('mode', 'first') === 'replay' ? 'replay' : 'first';
const rounds = Number(argument('rounds', '3'));
const seconds = Number(argument('seconds', '5'));
const tag = `cmp${Date.now().toString(36)}`;
// The run's own table, SQLite file and keys, as in the full run, removed at the end.
const table = `idem_bench_${tag}`;
const sqliteFile = join(tmpdir(), `idem-bench-${tag}.sqlite`);
const env = { BENCH_TAG: tag, BENCH_PG_TABLE: table, BENCH_SQLITE_FILE: sqliteFile };
const results = new Map<string, number[]>(servers.map((file) => [file, []]));

for (let round = 0; round < rounds; round++) {
  for (const file of servers) {
    const server = await startServer(file, { env });
    try {
      await runCell(server.url, mode, 1, 10, `${tag}-warm-${round}-${file}`);
      results.get(file)?.push((await runCell(server.url, mode, seconds, 10, `${tag}-${round}-${file}`)).requestsPerSecond);
    } finally {
      await server.stop();
    }
  }
}

const services = await availableServices();
if (services.redis) await removeRedisKeys(tag);
for (const name of [table, `${table}_ledger`, `${table}_floor`]) {
  if (services.postgres) await dropPgTable(name);
  if (services.mysql) await dropMysqlTable(name);
}
removeSqliteFile(sqliteFile);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const base = median(results.get(servers[0] as string) ?? []);
for (const [file, values] of results) {
  const each = values.map((value) => value.toFixed(0)).join(' ');
  console.log(`${file.padEnd(34)} ${median(values).toFixed(0).padStart(7)} req/s  ×${(median(values) / base).toFixed(3)}  (${each})`);
}
