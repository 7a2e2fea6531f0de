/**
 * node-redis 5 (the `redis` package: `createClient` or `createCluster`) onto the store's commands. A
 * view of the client with bulk strings mapped to Buffers (`withTypeMapping`) carries every command, so
 * values come back as Buffers; the client itself (its connection, its options) is left as it is.
 */
import type { RedisCommands, RedisKey, ScriptArgument } from './commands';

/** The part of a node-redis 5 client or cluster the store checks for; see `BufferCommands` for the rest. */
export interface NodeRedisClient {
  withTypeMapping(...args: never[]): unknown;
  evalSha(...args: never[]): unknown;
  on(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
}

interface ScriptOptions {
  keys: RedisKey[];
  arguments: ScriptArgument[];
}

interface BufferCommands {
  set(
    key: RedisKey,
    value: string,
    options: { expiration: { type: 'PX'; value: number }; condition: 'NX'; GET: true },
  ): Promise<Buffer | null>;
  get(key: RedisKey): Promise<Buffer | null>;
  del(key: RedisKey): Promise<number>;
  evalSha(sha: string, options: ScriptOptions): Promise<unknown>;
  eval(lua: string, options: ScriptOptions): Promise<unknown>;
}

/** RESP's type byte for a bulk string (`$`): node-redis's `RESP_TYPES.BLOB_STRING`. */
const BLOB_STRING = 36;

export function isNodeRedis(client: unknown): client is NodeRedisClient {
  const candidate = client as Partial<Record<'withTypeMapping' | 'evalSha', unknown>> | undefined;
  return typeof candidate?.withTypeMapping === 'function' && typeof candidate.evalSha === 'function';
}

export function nodeRedisCommands(client: NodeRedisClient): RedisCommands {
  const commands = (client.withTypeMapping as (mapping: Record<number, unknown>) => BufferCommands).call(client, { [BLOB_STRING]: Buffer });
  // A single client says whether it is connected (`isReady`); a cluster's nodes reconnect on their
  // own, and the store's operationTimeout bounds a command that waits for one.
  const connection = client as { isReady?: boolean };
  let connectedOnce = connection.isReady === true;
  const onReady = () => {
    connectedOnce = true;
  };
  client.on('ready', onReady);
  const script = (key: RedisKey, args: ScriptArgument[]): ScriptOptions => ({ keys: [key], arguments: args });
  return {
    setNxGet: (key, value, pxMs) =>
      commands.set(key, value, { expiration: { type: 'PX', value: Number(pxMs) }, condition: 'NX', GET: true }),
    get: (key) => commands.get(key),
    del: (key) => commands.del(key),
    evalsha: (sha, key, args) => commands.evalSha(sha, script(key, args)),
    eval: (lua, key, args) => commands.eval(lua, script(key, args)),
    get down() {
      return connectedOnce && connection.isReady === false;
    },
    get state() {
      return connection.isReady === undefined ? 'cluster' : `client ${connection.isReady ? 'ready' : 'not ready'}`;
    },
    stop: () => {
      client.off('ready', onReady);
    },
  };
}
