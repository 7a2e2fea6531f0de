/**
 * The client the store talks to: the user's own `Redis` or `Cluster`, or one the store creates from a
 * URL. A created client gets options that keep a down server from hanging requests (a command fails
 * after one reconnection attempt) and coalesce the commands of concurrent requests into one write
 * (auto-pipelining). The store's own `operationTimeout` bounds every operation, so the client needs no
 * per-command timer of its own.
 */
import { Redis, type Cluster, type RedisOptions } from 'ioredis';

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

/**
 * Tells whether the client lost a connection it had and has not got it back. ioredis would queue a
 * command meanwhile until its next reconnection attempt fails, and ioredis 6 backs off up to 5 s
 * between attempts (ioredis 5: 2 s): the store fails such commands at once instead.
 */
export class ConnectionWatch {
  private connectedOnce: boolean;

  constructor(private readonly client: RedisClient) {
    this.connectedOnce = client.status === 'ready';
    client.on('ready', this.onReady);
  }

  /** True while a connection that was up is down (before the first connection, commands may wait for it). */
  get down(): boolean {
    return this.connectedOnce && this.client.status !== 'ready';
  }

  stop(): void {
    this.client.off('ready', this.onReady);
  }

  private readonly onReady = (): void => {
    this.connectedOnce = true;
  };
}
