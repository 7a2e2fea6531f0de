/**
 * An `IdempotencyStore` in Node whose every method runs the real store inside the Worker (over a real
 * socket, one HTTP request per call). The conformance suite's assertions run unchanged against it.
 */
import type { AcquireOptions, AcquireResult, IdempotencyRecord, IdempotencyStore } from '@idem/core';
import type { StoreCall } from '../worker/store-rpc';
import type { StoreKind } from '../worker/stores';
import { parseWire, stringifyWire } from './wire-json';

export class RemoteStore implements IdempotencyStore {
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
    const answer = await fetch(`${this.workerUrl}/__harness/store`, { method: 'POST', body: stringifyWire(call) });
    const reply = parseWire<{ result?: T; error?: { name: string; message: string } }>(await answer.text());
    if (reply.error) throw Object.assign(new Error(reply.error.message), { name: reply.error.name });
    return reply.result as T;
  }
}
