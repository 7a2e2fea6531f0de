// What the testkit README's samples leave to the reader: the store under test and its client.
import type { Pool } from 'pg';
import type { IdempotencyStore } from '@idem/core';
import type { HttpTransactionSuiteOptions } from '@idem/testkit';

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
export declare const pool: Pool;
/** Your middleware under test, started on a port: what the suite's `createServer` asks for. */
export declare const myAdapter: HttpTransactionSuiteOptions['createServer'];
