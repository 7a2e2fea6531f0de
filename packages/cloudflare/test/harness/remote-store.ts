/**
 * An `IdempotencyStore` in Node whose every method runs the real store inside the Worker (over a real
 * socket, one HTTP request per call). The conformance suite's assertions run unchanged against it.
 */
import { Agent, request } from 'node:http';
import type { AcquireOptions, AcquireResult, IdempotencyRecord, IdempotencyStore } from '@idem/core';
import type { StoreCall } from '../worker/store-rpc';
import type { StoreKind } from '../worker/stores';
import { parseWire, stringifyWire } from './wire-json';

export class RemoteStore implements IdempotencyStore {
  /** The clock of the store it stands for: D1 decides on the database's clock, a Durable Object on its own. */
  readonly clock: IdempotencyStore['clock'] = 'store';

  constructor(
    private readonly workerUrl: string,
    readonly kind: StoreKind,
    readonly prefix: string,
  ) {}

  acquire(key: string, fingerprint: string, options: AcquireOptions): Promise<AcquireResult> {
    return this.call('acquire', [key, fingerprint, options]);
  }
  complete(key: string, token: string, response: Uint8Array, options: { ttlMs: number; now: number }): Promise<boolean> {
    return this.call('complete', [key, token, response, options]);
  }
  release(key: string, token: string): Promise<boolean> {
    return this.call('release', [key, token]);
  }
  extend(key: string, token: string, options: { lockTtlMs: number; now: number }): Promise<boolean> {
    return this.call('extend', [key, token, options]);
  }
  get(key: string, options?: { now?: number }): Promise<IdempotencyRecord | undefined> {
    return this.call('get', options === undefined ? [key] : [key, options]);
  }
  delete(key: string): Promise<void> {
    return this.call('delete', [key]);
  }
  async close(): Promise<void> {}

  private async call<T>(method: StoreCall['method'], args: unknown[]): Promise<T> {
    const call: StoreCall = { kind: this.kind, prefix: this.prefix, method, args };
    const reply = parseWire<{ result?: T; error?: { name: string; message: string } }>(
      await post(`${this.workerUrl}/__harness/store`, stringifyWire(call)),
    );
    if (reply.error) throw Object.assign(new Error(reply.error.message), { name: reply.error.name });
    return reply.result as T;
  }
}

// A bounded pool of kept-alive connections: a burst of calls queues here instead of opening a
// connection each (workerd's local listener resets some of hundreds of connections opened at once by several processes).
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

function post(url: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    req.on('error', reject);
    req.end(body);
  });
}
