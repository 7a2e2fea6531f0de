/**
 * The Redis store: every transition of the store contract is one Lua script on one key, so it is
 * atomic on the server and runs unchanged on Redis Cluster. A replay costs one command (the acquire
 * reply carries the stored response); a first execution costs two (acquire, complete) plus a lease
 * renewal every third of `lockTtl` while the handler runs.
 */
import { randomUUID } from 'node:crypto';
import {
  ConfigurationError,
  StorageError,
  type AcquireOptions,
  type AcquireResult,
  type IdempotencyRecord,
  type IdempotencyStore,
} from '@idem/core';
import type { RedisOptions } from 'ioredis';
import { createClient, type RedisClient } from './client';
import { keyBytes } from './key-bytes';
import { parseAcquireReply, parseHash } from './record';
import { runScript, type ScriptArgument } from './run-script';
import { ACQUIRE, COMPLETE, EXTEND, RELEASE, type LuaScript } from './scripts';

export interface RedisStoreOptions {
  /** Your own ioredis `Redis` or `Cluster` client. The store never closes it. */
  client?: RedisClient;
  /** A Redis URL: the store creates its own client (with safe timeouts) and closes it in `close()`. */
  url?: string;
  /** Options for the client created from `url`, merged over the safe defaults. */
  clientOptions?: RedisOptions;
  /** Prepended to every key. Default `idem:`. */
  prefix?: string;
  /**
   * Longest wait for one store operation, ms, whatever the client's own settings (a Cluster's offline
   * queue, for one, has no timeout): past it the operation fails with StorageError (HTTP 503). 0 turns
   * it off. Default 5 000.
   */
  operationTimeout?: number;
}

const DEFAULT_OPERATION_TIMEOUT = 5_000;

export class RedisStore implements IdempotencyStore {
  /** The client in use (yours, or the one created from `url`). */
  readonly client: RedisClient;
  private readonly ownsClient: boolean;
  private readonly prefix: Buffer;
  private readonly operationTimeout: number;

  constructor(options: RedisStoreOptions) {
    const { client, url, clientOptions, prefix = 'idem:', operationTimeout = DEFAULT_OPERATION_TIMEOUT } = options ?? {};
    if (client && url !== undefined) throw new ConfigurationError('RedisStore takes either `client` or `url`, not both');
    if (!client && url === undefined) throw new ConfigurationError('RedisStore needs a `client` (ioredis Redis or Cluster) or a `url`');
    if (url !== undefined && (typeof url !== 'string' || url === '')) throw new ConfigurationError('`url` must be a non-empty string such as redis://127.0.0.1:6379');
    if (clientOptions !== undefined && (url === undefined || typeof clientOptions !== 'object')) {
      throw new ConfigurationError('`clientOptions` is an object and only applies with `url` (configure your own client directly)');
    }
    if (typeof prefix !== 'string') throw new ConfigurationError('`prefix` must be a string');
    if (!Number.isSafeInteger(operationTimeout) || operationTimeout < 0) {
      throw new ConfigurationError('`operationTimeout` must be a whole number of ms ≥ 0 (0 turns it off)');
    }
    if (client && typeof (client as { callBuffer?: unknown }).callBuffer !== 'function') {
      throw new ConfigurationError('`client` must be an ioredis Redis or Cluster instance');
    }
    this.client = client ?? createClient(url as string, clientOptions);
    this.ownsClient = !client;
    this.prefix = keyBytes(prefix);
    this.operationTimeout = operationTimeout;
    // A client we created must not crash the process with an unhandled 'error' event while Redis is
    // down; the failures surface on the commands themselves as StorageError.
    if (this.ownsClient) this.client.on('error', () => {});
  }

  async acquire(key: string, fingerprint: string, { lockTtlMs, ttlMs, now }: AcquireOptions): Promise<AcquireResult> {
    const token = randomUUID();
    const args = [String(now), token, fingerprint, String(now + ttlMs), String(now + lockTtlMs), expiryMs(ttlMs)];
    return this.command('acquire', async () => parseAcquireReply(key, token, await this.script(ACQUIRE, key, args)));
  }

  async complete(key: string, token: string, response: Uint8Array, { ttlMs, now }: { ttlMs: number; now: number }): Promise<boolean> {
    const body = Buffer.from(response.buffer, response.byteOffset, response.byteLength);
    const args = [token, String(now), body, String(now + ttlMs), expiryMs(ttlMs)];
    return (await this.command('complete', () => this.script(COMPLETE, key, args))) === 1;
  }

  async release(key: string, token: string): Promise<boolean> {
    return (await this.command('release', () => this.script(RELEASE, key, [token]))) === 1;
  }

  async extend(key: string, token: string, { lockTtlMs, now }: { lockTtlMs: number; now: number }): Promise<boolean> {
    const args = [token, String(now), String(now + lockTtlMs)];
    return (await this.command('extend', () => this.script(EXTEND, key, args))) === 1;
  }

  async get(key: string, options: { now?: number } = {}): Promise<IdempotencyRecord | undefined> {
    const now = options.now ?? Date.now();
    return this.command('get', async () => parseHash(key, await this.client.hgetallBuffer(this.redisKey(key)), now));
  }

  async delete(key: string): Promise<void> {
    await this.command('delete', () => this.client.del(this.redisKey(key)));
  }

  /** Quits the client the store created from `url` (resolving once it is closed); a client you passed in stays open. */
  async close(): Promise<void> {
    if (!this.ownsClient || this.client.status === 'end') return;
    const connected = this.client.status === 'ready';
    const ended = new Promise((resolve) => this.client.once('end', resolve));
    try {
      await this.client.quit();
      // Only a connected client emits 'end' after QUIT; one that is reconnecting just stops.
      if (connected) await ended;
    } catch {
      // Redis went away during QUIT: nothing left to close gracefully.
      this.client.disconnect();
    }
  }

  private redisKey(key: string): Buffer {
    return Buffer.concat([this.prefix, keyBytes(key)]);
  }

  private script(script: LuaScript, key: string, args: ScriptArgument[]): Promise<unknown> {
    return runScript(this.client, script, this.redisKey(key), args);
  }

  /**
   * Any failure (connection lost, timeout, READONLY, CLUSTERDOWN, a malformed record) is a StorageError.
   * A command that timed out here may still run on the server later: that is safe, because a late
   * acquire only leaves a lease that expires after lockTtl, and a late complete only stores the result.
   */
  private async command<T>(operation: string, send: () => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const sent = send();
      if (this.operationTimeout === 0) return await sent;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within operationTimeout (${this.operationTimeout} ms)`)), this.operationTimeout);
      });
      // The losing promise must not become an unhandled rejection.
      sent.catch(() => {});
      return await Promise.race([sent, timedOut]);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new StorageError(`Redis store ${operation} failed: ${detail}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}

/** PEXPIRE takes whole milliseconds > 0; the record's own expiresAt stays exact. */
function expiryMs(ttlMs: number): string {
  return String(Math.max(1, Math.ceil(ttlMs)));
}
