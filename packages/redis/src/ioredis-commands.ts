/**
 * ioredis (5, 6) and iovalkey (its fork, with the same API) onto the store's commands: the named
 * `*Buffer` commands, so every value comes back as a Buffer.
 *
 * It uses the named `evalshaBuffer` / `evalBuffer`, not `callBuffer`: with `enableAutoPipelining`
 * ioredis drops the command name of a `callBuffer` call (ioredis issue 1923), while the named commands
 * join the automatic pipeline like any other.
 */
import type { RedisCommands, RedisKey, ScriptArgument } from './commands';

/**
 * The part of an ioredis or iovalkey `Redis` / `Cluster` the store uses. ioredis defines
 * `<command>Buffer` for every command at runtime; its typings omit the scripting ones.
 */
export interface IoredisLikeClient {
  readonly status: string;
  setBuffer(key: RedisKey, value: string, px: 'PX', ms: string, nx: 'NX', get: 'GET'): Promise<Buffer | null>;
  getBuffer(key: RedisKey): Promise<Buffer | null>;
  del(key: RedisKey): Promise<number>;
  on(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
  once(event: string, listener: () => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

interface BufferScripting {
  evalshaBuffer(sha: string, keys: number, ...args: ScriptArgument[]): Promise<unknown>;
  evalBuffer(lua: string, keys: number, ...args: ScriptArgument[]): Promise<unknown>;
}

export function isIoredisLike(client: unknown): client is IoredisLikeClient {
  return typeof (client as Partial<BufferScripting> | undefined)?.evalshaBuffer === 'function';
}

export function ioredisCommands(client: IoredisLikeClient): RedisCommands {
  const scripting = client as unknown as BufferScripting;
  // ioredis would queue a command while a lost connection is being re-made, until its next
  // reconnection attempt fails, and ioredis 6 backs off up to 5 s between attempts (ioredis 5: 2 s).
  let connectedOnce = client.status === 'ready';
  const onReady = () => {
    connectedOnce = true;
  };
  client.on('ready', onReady);
  return {
    setNxGet: (key, value, pxMs) => client.setBuffer(key, value, 'PX', pxMs, 'NX', 'GET'),
    get: (key) => client.getBuffer(key),
    del: (key) => client.del(key),
    evalsha: (sha, key, args) => scripting.evalshaBuffer(sha, 1, key, ...args),
    eval: (lua, key, args) => scripting.evalBuffer(lua, 1, key, ...args),
    get down() {
      return connectedOnce && client.status !== 'ready';
    },
    get state() {
      return `client ${client.status}`;
    },
    stop: () => {
      client.off('ready', onReady);
    },
  };
}
