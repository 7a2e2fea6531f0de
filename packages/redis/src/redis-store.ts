/**
 * The Redis store. A record is one string (layout in record.ts). `acquire` is one native
 * `SET key <pending> NX PX <lockTtl> GET`: it creates the pending record, or answers with the record
 * already there, so a replay costs one command and a first execution two (acquire, complete), plus a
 * lease renewal every third of `lockTtl` while the handler runs. Only the fenced transitions
 * (complete, extend, release) are Lua scripts, each on one key, so everything is atomic on the server
 * and runs unchanged on Redis Cluster.
 *
 * Leases and expiry run on the Redis clock (`clock: 'store'`): a key exists exactly while its record
 * is live, because every write sets its expiry relative to the server's clock (`PX`: the lease for a
 * pending record, `ttl` for a completed one). Whatever the key holds is therefore live, whatever the
 * app server's clock says, and a lapsed lease is simply gone: the next `SET NX` takes it. The app's
 * `now` only stamps the times inside the value (createdAt names the lease; the others are hints).
 */
import { randomUUID } from 'node:crypto';
import {
  ConfigurationError,
  DEFAULT_PREFIX,
  namespacedKey,
  StorageError,
  type AcquireOptions,
  type AcquireResult,
  type IdempotencyRecord,
  type IdempotencyStore,
} from '@idem/core';
import type { RedisOptions } from 'ioredis';
import { createClient, type RedisClient } from './client';
import { redisCommands, type RedisCommands, type SupportedClient } from './commands';
import { Deadlines } from './deadlines';
import { keyBytes } from './key-bytes';
import { decodeRecord, pendingOwner, pendingValue, time16 } from './record';
import { runScript } from './run-script';
import { COMPLETE, EXTEND, RELEASE, SET_NX_GET } from './scripts';

export interface RedisStoreOptions<Client extends SupportedClient = RedisClient> {
  /**
   * Your own client: ioredis or iovalkey (`Redis` or `Cluster`), or node-redis 5 (`createClient()` or
   * `createCluster()`, connected). The store never closes it.
   */
  client?: Client;
  /** A Redis URL: the store creates its own client (with safe timeouts) and closes it in `close()`. */
  url?: string;
  /** Options for the client created from `url`, merged over the safe defaults. */
  clientOptions?: RedisOptions;
  /** Namespace of every key: records are named `prefix:key` (`idem:k1`, `idem:s=tenant:k1`; see `namespacedKey`). Default `idem`. */
  prefix?: string;
  /**
   * Longest wait for one store operation, ms, whatever the client's own settings (a Cluster's offline
   * queue, for one, has no timeout): past it the operation fails with StorageError (HTTP 503). 0 turns
   * it off. Default 5 000.
   */
  operationTimeout?: number;
}

const DEFAULT_OPERATION_TIMEOUT = 5_000;
/** Lone UTF-16 surrogates: only keys holding one need the byte encoding of key-bytes.ts. */
const LONE_SURROGATE = /\p{Cs}/u;

export class RedisStore<Client extends SupportedClient = RedisClient> implements IdempotencyStore {
  /** The client in use (yours, or the one created from `url`). */
  readonly client: Client;
  /** Leases and expiry run on the Redis server's clock (key expiry), not the app's `now`. */
  readonly clock = 'store' as const;
  private readonly commands: RedisCommands;
  private readonly ownsClient: boolean;
  private readonly prefix: string;
  private readonly deadlines: Deadlines;
  /**
   * Redis < 7.0 cannot combine NX with GET: acquire then runs the same step as a script. Known once
   * the server answered either way (servers are upgraded, not downgraded, under a running app).
   */
  private nativeAcquire: 'untried' | 'yes' | 'no' = 'untried';

  constructor(options: RedisStoreOptions<Client>) {
    const { client, url, clientOptions, prefix = DEFAULT_PREFIX, operationTimeout = DEFAULT_OPERATION_TIMEOUT } = options ?? {};
    if (client && url !== undefined) throw new ConfigurationError('RedisStore takes either `client` or `url`, not both');
    if (!client && url === undefined)
      throw new ConfigurationError('RedisStore needs a `client` (ioredis, iovalkey or node-redis) or a `url`');
    if (url !== undefined && (typeof url !== 'string' || url === ''))
      throw new ConfigurationError('`url` must be a non-empty string such as redis://127.0.0.1:6379');
    if (clientOptions !== undefined && (url === undefined || typeof clientOptions !== 'object')) {
      throw new ConfigurationError('`clientOptions` is an object and only applies with `url` (configure your own client directly)');
    }
    if (typeof prefix !== 'string') throw new ConfigurationError('`prefix` must be a string');
    if (!Number.isSafeInteger(operationTimeout) || operationTimeout < 0) {
      throw new ConfigurationError('`operationTimeout` must be a whole number of ms ≥ 0 (0 turns it off)');
    }
    const commands = client && redisCommands(client);
    if (client && !commands) {
      throw new ConfigurationError('`client` must be an ioredis or iovalkey Redis or Cluster, or a node-redis 5 client or cluster');
    }
    this.client = client ?? (createClient(url as string, clientOptions) as unknown as Client);
    this.commands = commands || (redisCommands(this.client) as RedisCommands);
    this.ownsClient = !client;
    this.prefix = prefix;
    this.deadlines = new Deadlines(operationTimeout, storeFailure);
    // A client we created must not crash the process with an unhandled 'error' event while Redis is
    // down; the failures surface on the commands themselves as StorageError.
    if (this.ownsClient) this.client.on('error', () => {});
  }

  async acquire(key: string, fingerprint: string, { lockTtlMs, ttlMs, now }: AcquireOptions): Promise<AcquireResult> {
    const token = randomUUID();
    const value = pendingValue(token, fingerprint, now, lockTtlMs, ttlMs);
    const reply = await this.send('acquire', () => this.setIfAbsent(this.redisKey(key), value, wholeMs(lockTtlMs)));
    if (reply === null) return { state: 'acquired', token };
    // The key is live on the Redis clock, or it would be gone: no clock of ours is asked.
    const record = this.decode('acquire', key, reply);
    return record.status === 'completed' ? { state: 'completed', record } : { state: 'in_progress', record };
  }

  async complete(key: string, token: string, response: Uint8Array, { ttlMs, now }: { ttlMs: number; now: number }): Promise<boolean> {
    const body = Buffer.from(response.buffer, response.byteOffset, response.byteLength);
    const args = [pendingOwner(token), time16(now + ttlMs), body, wholeMs(ttlMs)];
    return (await this.send('complete', () => runScript(this.commands, COMPLETE, this.redisKey(key), args))) === 1;
  }

  async release(key: string, token: string): Promise<boolean> {
    return (await this.send('release', () => runScript(this.commands, RELEASE, this.redisKey(key), [pendingOwner(token)]))) === 1;
  }

  async extend(key: string, token: string, { lockTtlMs, now }: { lockTtlMs: number; now: number }): Promise<boolean> {
    const args = [pendingOwner(token), time16(now + lockTtlMs), wholeMs(lockTtlMs)];
    return (await this.send('extend', () => runScript(this.commands, EXTEND, this.redisKey(key), args))) === 1;
  }

  /** The record while its key lives on the Redis clock; `now` is not consulted. */
  async get(key: string, _options?: { now?: number }): Promise<IdempotencyRecord | undefined> {
    const reply = await this.send('get', () => this.commands.get(this.redisKey(key)));
    return reply === null ? undefined : this.decode('get', key, reply);
  }

  async delete(key: string): Promise<void> {
    await this.send('delete', () => this.commands.del(this.redisKey(key)));
  }

  /** Quits the client the store created from `url` (resolving once it is closed); a client you passed in stays open. */
  async close(): Promise<void> {
    this.deadlines.stop();
    this.commands.stop();
    const owned = this.client as RedisClient;
    if (!this.ownsClient || owned.status === 'end') return;
    const connected = owned.status === 'ready';
    const ended = new Promise((resolve) => owned.once('end', resolve));
    try {
      await owned.quit();
      // Only a connected client emits 'end' after QUIT; one that is reconnecting just stops.
      if (connected) await ended;
    } catch {
      // Redis went away during QUIT: nothing left to close gracefully.
      owned.disconnect();
    }
  }

  /**
   * The record's Redis key, `namespacedKey(prefix, key)`: a string (written as UTF-8), or bytes when the
   * key holds a lone surrogate that needs keyBytes (the prefix never does: namespacedKey escapes it).
   */
  private redisKey(key: string): string | Buffer {
    const name = namespacedKey(this.prefix, key);
    return LONE_SURROGATE.test(key) ? keyBytes(name) : name;
  }

  private setIfAbsent(key: string | Buffer, value: string, lockMs: string): Promise<Buffer | null> {
    if (this.nativeAcquire === 'yes') return this.commands.setNxGet(key, value, lockMs);
    return this.probeSetIfAbsent(key, value, lockMs);
  }

  private async probeSetIfAbsent(key: string | Buffer, value: string, lockMs: string): Promise<Buffer | null> {
    if (this.nativeAcquire === 'untried') {
      try {
        const reply = await this.commands.setNxGet(key, value, lockMs);
        this.nativeAcquire = 'yes';
        return reply;
      } catch (error) {
        if (!(error instanceof Error && /^ERR syntax error/.test(error.message))) throw error;
        this.nativeAcquire = 'no';
      }
    }
    return (await runScript(this.commands, SET_NX_GET, key, [value, lockMs])) as Buffer | null;
  }

  private decode(operation: string, key: string, value: Buffer): IdempotencyRecord {
    try {
      return decodeRecord(key, value);
    } catch (error) {
      throw new StorageError(`Redis store ${operation} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Sends one command under the store's single timeout. Any failure (connection lost, timeout, READONLY,
   * CLUSTERDOWN) is a StorageError; while a connection that was up is down, it fails at once instead of
   * waiting for the client's next reconnection attempt. A command that timed out here may still run on
   * the server later: that is safe, because a late acquire only leaves a lease that expires after
   * lockTtl, and a late complete only stores the result.
   */
  private send<T>(operation: string, command: () => Promise<T>): Promise<T> {
    if (this.commands.down)
      return Promise.reject(storeFailure(operation, new Error(`the connection to Redis is down (${this.commands.state})`)));
    let sent: Promise<T>;
    try {
      sent = command();
    } catch (error) {
      return Promise.reject(storeFailure(operation, error));
    }
    // Not an async function: the one promise per operation is the deadline's, which also names the failure.
    return this.deadlines.bound(sent, operation);
  }
}

/** Any failure of an operation, as the StorageError (HTTP 503) callers get. */
function storeFailure(operation: string, error: unknown): StorageError {
  const detail = error instanceof Error ? error.message : String(error);
  return new StorageError(`Redis store ${operation} failed: ${detail}`, { cause: error });
}

/** PX takes whole milliseconds > 0; the record's own times stay exact. */
function wholeMs(ms: number): string {
  return String(Math.max(1, Math.ceil(ms)));
}
