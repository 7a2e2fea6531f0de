/**
 * A throwaway `redis-server` on a free loopback port (never the shared one), with an fsync-always
 * append-only file so a SIGKILL loses nothing it acknowledged: a store that forgets completed records
 * on restart cannot keep any exactly-once promise, and that is a deployment choice, not idem's.
 * The launcher is @idem/redis's own test helper; only the persistence settings differ.
 */
import { startRedisServer, type RedisServer } from '../../../packages/redis/test/support/redis-server';

export { redisServerInstalled } from '../../../packages/redis/test/support/redis-server';

export type OwnRedis = RedisServer;

export function startOwnRedis(): Promise<OwnRedis> {
  // Later arguments win: these replace the helper's `--appendonly no`.
  return startRedisServer({ extraArgs: ['--appendonly', 'yes', '--appendfsync', 'always'] });
}
