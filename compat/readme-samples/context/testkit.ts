// What the testkit README's samples leave to the reader: the store under test and its client.
import type { IdempotencyStore } from '@idem/core';

export declare class MyStore implements IdempotencyStore {
  constructor(options: { client: unknown; prefix: string });
  acquire: IdempotencyStore['acquire'];
  get: IdempotencyStore['get'];
  complete: IdempotencyStore['complete'];
  release: IdempotencyStore['release'];
  extend: IdempotencyStore['extend'];
  delete: IdempotencyStore['delete'];
  close: IdempotencyStore['close'];
}
export declare const client: { quit(): Promise<void> };
