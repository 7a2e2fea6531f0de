/**
 * The few Redis commands the store sends, behind one small shape, so the store runs unchanged on each
 * client it supports: ioredis and iovalkey (one API: `ioredis-commands.ts`) and node-redis 5
 * (`node-redis-commands.ts`), each a single server or a cluster. Every reply that holds a value comes
 * back as a Buffer, so binary records are never decoded as text. Nothing here decides anything.
 */
import type { IoredisLikeClient } from './ioredis-commands';
import { ioredisCommands, isIoredisLike } from './ioredis-commands';
import type { NodeRedisClient } from './node-redis-commands';
import { isNodeRedis, nodeRedisCommands } from './node-redis-commands';

export type RedisKey = string | Buffer;
export type ScriptArgument = string | Buffer;

export interface RedisCommands {
  /** `SET key value PX ms NX GET`: null when written, else the value already there (left unchanged). */
  setNxGet(key: RedisKey, value: string, pxMs: string): Promise<Buffer | null>;
  get(key: RedisKey): Promise<Buffer | null>;
  del(key: RedisKey): Promise<unknown>;
  /** EVALSHA / EVAL on one key (KEYS[1]); integer replies as numbers, values as Buffers, nil as null. */
  evalsha(sha: string, key: RedisKey, args: ScriptArgument[]): Promise<unknown>;
  eval(lua: string, key: RedisKey, args: ScriptArgument[]): Promise<unknown>;
  /**
   * True while a connection that was up is down: the store then fails at once instead of letting the
   * command wait in the client's offline queue for its next reconnection attempt.
   */
  readonly down: boolean;
  /** The client's connection state, for error messages. */
  readonly state: string;
  /** Removes the listeners the store added to the client. */
  stop(): void;
}

/** Any client the store takes: ioredis or iovalkey (`Redis` or `Cluster`), or node-redis 5 (`createClient` or `createCluster`). */
export type SupportedClient = IoredisLikeClient | NodeRedisClient;

/** The command mapping for `client`, or undefined when it is none of the supported clients. */
export function redisCommands(client: unknown): RedisCommands | undefined {
  if (isIoredisLike(client)) return ioredisCommands(client);
  if (isNodeRedis(client)) return nodeRedisCommands(client);
  return undefined;
}
