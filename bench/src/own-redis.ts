/**
 * The run's own `redis-server` (persistence off, on a free loopback port), so the Redis columns count
 * only this run: `INFO cpu` and `INFO commandstats` are server-wide, and the machine's shared Redis also
 * serves whatever else runs. Without `redis-server` installed the run uses the shared server and says so.
 * The launcher is @idem/redis's own test helper.
 */
import type { Redis } from 'ioredis';
import { redisServerInstalled, startRedisServer } from '../../packages/redis/test/support/redis-server';

export interface BenchRedis {
  url: string;
  /** True when this run started the server itself (its stats are the run's alone). */
  own: boolean;
  stop(): Promise<void>;
}

export async function benchRedis(sharedUrl: string): Promise<BenchRedis> {
  if (!redisServerInstalled()) return { url: sharedUrl, own: false, stop: async () => {} };
  const server = await startRedisServer();
  return { url: server.url, own: true, stop: () => server.stop() };
}

export interface RedisSnapshot {
  /** used_cpu_user + used_cpu_sys of the server process, µs. */
  cpuUs: number;
  /** Per command name: calls and total µs inside the command (INFO commandstats). */
  commands: Map<string, { calls: number; usec: number }>;
}

export async function redisSnapshot(client: Redis): Promise<RedisSnapshot> {
  const [cpu, stats] = await Promise.all([client.info('cpu'), client.info('commandstats')]);
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(cpu)?.[1] ?? NaN);
  const commands = new Map<string, { calls: number; usec: number }>();
  for (const match of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    commands.set(match[1]!, { calls: Number(match[2]), usec: Number(match[3]) });
  }
  return { cpuUs: (field('used_cpu_user') + field('used_cpu_sys')) * 1e6, commands };
}

/**
 * Server CPU and command time between two snapshots. Commands a script runs (`redis.call`) are counted
 * in their own `cmdstat_*` too, and their time is inside the script's: `nested` (per command name, the
 * share of its calls that ran inside scripts, from MONITOR) keeps such time from being counted twice.
 */
export function redisCost(
  before: RedisSnapshot,
  after: RedisSnapshot,
  nested: Record<string, number>,
  requests: number,
): { cpuUs: number; commandUs: number } {
  let commandUs = 0;
  for (const [name, now] of after.commands) {
    if (name === 'info' || name === 'monitor' || name === 'ping') continue;
    const then = before.commands.get(name) ?? { calls: 0, usec: 0 };
    const calls = now.calls - then.calls;
    if (calls <= 0) continue;
    const usec = now.usec - then.usec;
    // `nested`: the share of this command's calls that ran inside a script; only the rest counts here.
    const topShare = Math.max(0, 1 - (nested[name] ?? 0));
    commandUs += usec * topShare;
  }
  return { cpuUs: (after.cpuUs - before.cpuUs) / requests, commandUs: commandUs / requests };
}
