/**
 * `pnpm bench` (`--smoke` for the tiny version): every variant in its own server process on loopback,
 * driven by autocannon, side by side in one run, with the bare framework at the start and the end of
 * every round. Writes results/latest.md and results/latest.svg and prints the table.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { measureCost, type BackendCost } from './backend-cost';
import { runChild } from './child-json';
import { dropMysqlTable, dropPgTable, removeRedisKeys, removeSqliteFile } from './cleanup';
import { checkCorrectness, type CorrectnessResult } from './correctness';
import type { FunctionResult } from './function-api';
import { runCell, type CellResult } from './load';
import type { MemoryResult } from './memory-check';
import { benchRedis, redisCost, redisSnapshot } from './own-redis';
import { renderMarkdown, renderSvg, type RunReport } from './report';
import { startServer, type RunningServer } from './server-process';
import { availableServices } from './services';
import { FULL, SMOKE, serviceUrls } from './settings';
import { BARE, VARIANTS, type Mode, type Variant } from './variants';

const smoke = process.argv.includes('--smoke');
const settings = smoke ? SMOKE : FULL;
const tag = `b${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const pgTable = `idem_bench_${tag}`;
const sqliteFile = join(tmpdir(), `idem-bench-${tag}.sqlite`);
const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));
const log = (message: string) => process.stderr.write(`${message}\n`);

async function main(): Promise<number> {
  const started = Date.now();
  const services = await availableServices();
  const redis = services.redis ? await benchRedis(serviceUrls.redis) : undefined;
  if (redis && !redis.own)
    log('redis-server is not installed: the Redis variants use the shared server, and the Redis µs columns stay empty');
  const redisStats = redis?.own ? new Redis(redis.url) : undefined;
  const active = VARIANTS.filter((variant) => variant.needs.every((service) => services[service]));
  const skipped = VARIANTS.filter((variant) => !active.includes(variant));
  const serverEnv = {
    BENCH_TAG: tag,
    IDEM_REDIS_URL: redis?.url ?? serviceUrls.redis,
    IDEM_PG_URL: serviceUrls.postgres,
    IDEM_MYSQL_URL: serviceUrls.mysql,
    BENCH_SQLITE_FILE: sqliteFile,
    BENCH_PG_TABLE: pgTable,
  };
  const cells = new Map<string, CellResult[][]>(); // `${id}/${mode}` → per round, the cells measured
  const correctness = new Map<string, CorrectnessResult>();
  const costs = new Map<string, BackendCost>();
  const failures = new Map<string, string>();
  const record = (variant: Variant, mode: Mode, round: number, cell: CellResult) => {
    const key = `${variant.id}/${mode}`;
    const rounds = cells.get(key) ?? [];
    (rounds[round] ??= []).push(cell);
    cells.set(key, rounds);
  };

  /** A variant's server: correctness and backend cost (first round only), a warm-up, then its cells. */
  async function measureVariant(variant: Variant, round: number): Promise<[Mode, CellResult][]> {
    const server = await startServer(variant.server, { env: serverEnv }).catch((error: unknown) => {
      failures.set(variant.id, (error as Error).message.split('\n')[0] ?? 'did not start');
      log(String(error));
      return undefined;
    });
    if (!server) return [];
    const measured: [Mode, CellResult][] = [];
    try {
      const keys = `${tag}-${variant.id}-r${round}`;
      if (round === 0) {
        if (!variant.floor) correctness.set(variant.id, await checkCorrectness(server, settings.bursts, settings.burstSize, keys));
        const cost = await measureCost(server, variant.store, settings.costRequests, keys, {
          redisUrl: redis?.url ?? serviceUrls.redis,
          tag,
        });
        if (cost) costs.set(variant.id, cost);
      }
      await runCell(server.url, 'first', settings.warmupSeconds, settings.connections, `${keys}-warm`);
      for (const mode of ['first', 'replay'] as const) {
        const nested = costs.get(variant.id)?.nestedShare?.[mode] ?? {};
        measured.push([
          mode,
          await measuredCell(server, mode, `${keys}-${mode}`, variant.store === 'redis' ? redisStats : undefined, nested),
        ]);
      }
    } catch (error) {
      failures.set(variant.id, (error as Error).message.split('\n')[0] ?? 'failed');
      log(String(error));
    } finally {
      await server.stop();
    }
    return measured;
  }

  try {
    for (let round = 0; round < settings.repeats; round++) {
      // The bare framework stays up for the whole round and is measured between every two variants:
      // each variant's cells are compared with the bare cells right before and right after them, so
      // a shared machine's load, which drifts within seconds, cancels out as far as it can.
      const bareServers = new Map<string, RunningServer>();
      const lastBare = new Map<string, CellResult>();
      const measureBare = async (framework: string) => {
        const bare = BARE.find((candidate) => candidate.framework === framework);
        const server = bareServers.get(framework);
        if (!bare || !server) return undefined;
        const cell = await measuredCell(server, 'bare', `${tag}-${bare.id}-r${round}-bare`, undefined, {});
        record(bare, 'bare', round, cell);
        lastBare.set(framework, cell);
        return cell;
      };
      for (const bare of BARE) {
        log(`round ${round + 1}/${settings.repeats}: ${bare.id}`);
        const server = await startServer(bare.server, { env: serverEnv });
        bareServers.set(bare.framework, server);
        await runCell(server.url, 'bare', settings.warmupSeconds, settings.connections, `${tag}-${bare.id}-r${round}-warm`);
        await measureBare(bare.framework);
      }
      try {
        for (const variant of active) {
          if (failures.has(variant.id)) continue;
          log(`round ${round + 1}/${settings.repeats}: ${variant.id}`);
          const measured = await measureVariant(variant, round);
          const before = lastBare.get(variant.framework);
          const after = await measureBare(variant.framework);
          for (const [mode, cell] of measured) {
            if (before && after) {
              cell.bareRequestsPerSecond = (before.requestsPerSecond + after.requestsPerSecond) / 2;
              cell.bareCpuUs = ((before.serverCpuUs ?? NaN) + (after.serverCpuUs ?? NaN)) / 2;
            }
            record(variant, mode, round, cell);
          }
        }
      } finally {
        for (const server of bareServers.values()) await server.stop();
      }
    }

    log('memory: unique keys through each memory store');
    const memory: MemoryResult[] = [];
    for (const variant of active.filter((v) => v.memoryCheck)) {
      memory.push(
        await runChild<MemoryResult>(
          'memory-check.ts',
          [variant.memoryCheck!, String(settings.memoryKeys), String(settings.memorySeconds)],
          ['--expose-gc'],
        ),
      );
    }

    log('function API');
    const functions = await runChild<FunctionResult[]>('function-api.ts', [
      JSON.stringify({
        seconds: settings.functionSeconds,
        concurrency: settings.functionConcurrency,
        bursts: settings.bursts,
        burstSize: settings.burstSize,
        redisUrl: redis?.url ?? serviceUrls.redis,
        tag,
        withRedis: services.redis,
      }),
    ]);

    const report: RunReport = {
      smoke,
      settings,
      date: new Date().toISOString(),
      machine: `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}`,
      seconds: Math.round((Date.now() - started) / 1000),
      bare: BARE,
      variants: active,
      skipped,
      failures,
      cells,
      correctness,
      costs,
      memory,
      functions,
    };
    const markdown = renderMarkdown(report);
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, smoke ? 'smoke.md' : 'latest.md'), markdown);
    writeFileSync(join(RESULTS, smoke ? 'smoke.svg' : 'latest.svg'), renderSvg(report));
    process.stdout.write(markdown);
    return failures.size > 0 ? 1 : 0;
  } finally {
    redisStats?.disconnect();
    if (redis?.own) await redis.stop();
    await cleanUp({ ...services, redis: services.redis && !redis?.own });
  }
}

/** One cell, with the server's CPU per request and, on the run's own Redis, Redis' CPU and command time per request. */
async function measuredCell(
  server: RunningServer,
  mode: Mode,
  keyPrefix: string,
  redisClient: Redis | undefined,
  nested: Record<string, number>,
): Promise<CellResult> {
  const cpuBefore = (await server.stats()).cpuUs;
  const redisBefore = redisClient ? await redisSnapshot(redisClient) : undefined;
  const cell = await runCell(server.url, mode, settings.cellSeconds, settings.connections, keyPrefix);
  const cpuAfter = (await server.stats()).cpuUs;
  const requests = Math.max(1, cell.requests);
  cell.serverCpuUs = (cpuAfter - cpuBefore) / requests;
  if (redisClient && redisBefore) {
    const cost = redisCost(redisBefore, await redisSnapshot(redisClient), nested, requests);
    cell.redisCpuUs = cost.cpuUs;
    cell.redisCommandUs = cost.commandUs;
  }
  return cell;
}

async function cleanUp(services: Record<string, boolean>): Promise<void> {
  if (services.redis) log(`cleanup: ${await removeRedisKeys(tag)} Redis keys removed`);
  if (services.postgres) {
    await dropPgTable(pgTable);
    await dropPgTable(`${pgTable}_ledger`);
    await dropPgTable(`${pgTable}_floor`);
  }
  if (services.mysql) {
    await dropMysqlTable(pgTable);
    await dropMysqlTable(`${pgTable}_floor`);
  }
  removeSqliteFile(sqliteFile);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
