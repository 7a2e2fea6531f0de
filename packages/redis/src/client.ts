/**
 * The client the store talks to: the user's own (ioredis, iovalkey or node-redis; see commands.ts), or
 * an ioredis `Redis` the store creates from a URL. A created client gets options that keep a down server from hanging requests (a command fails
 * after one reconnection attempt) and coalesce the commands of concurrent requests into one write
 * (auto-pipelining). The store's own `operationTimeout` bounds every operation, so the client needs no
 * per-command timer of its own.
 */
import { Redis, type Cluster, type RedisOptions } from 'ioredis';

/** ioredis's `Redis` or `Cluster`: the default client type (and the one a `url` creates). */
export type RedisClient = Redis | Cluster;

/** Applied to a client the store creates from `url`; your own `clientOptions` override them. */
export const SAFE_CLIENT_OPTIONS = {
  maxRetriesPerRequest: 1,
  connectTimeout: 5_000,
  enableAutoPipelining: true,
  /** Reconnect after 50 ms, 100 ms, … at most 1 s apart (ioredis 6 waits up to 5 s), so service resumes soon after Redis does. */
  retryStrategy: (attempt: number) => Math.min(attempt * 50, 1_000),
} as const satisfies RedisOptions;

export function createClient(url: string, clientOptions: RedisOptions = {}): Redis {
  return new Redis(url, { ...SAFE_CLIENT_OPTIONS, ...clientOptions });
}
