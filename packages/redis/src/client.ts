/**
 * The client the store talks to: the user's own `Redis` or `Cluster`, or one the store creates from a
 * URL. A created client gets options that keep a down server from hanging requests: a command fails
 * after one reconnection attempt (`maxRetriesPerRequest: 1`) and after `commandTimeout` at the latest,
 * so the middleware answers 503 quickly instead of waiting forever.
 */
import { Redis, type Cluster, type RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

/** Applied to a client the store creates from `url`; your own `clientOptions` override them. */
export const SAFE_CLIENT_OPTIONS = {
  maxRetriesPerRequest: 1,
  commandTimeout: 5_000,
  connectTimeout: 5_000,
} as const satisfies RedisOptions;

export function createClient(url: string, clientOptions: RedisOptions = {}): Redis {
  return new Redis(url, { ...SAFE_CLIENT_OPTIONS, ...clientOptions });
}
