// What the SQL README's samples leave to the reader: the Express app, the pg pool, store and runner of
// the samples above them, and the app's own data (a transfer, a key, its booking function).
import type { Express } from 'express';
import type { Pool, PoolClient } from 'pg';
import type { IdempotencyRunner } from '@idem/core';
import type { SqlStore } from '@idem/sql';

export declare const app: Express;
export declare const pool: Pool;
export declare const store: SqlStore;
export declare const idem: IdempotencyRunner;
export declare const key: string;
export declare const transfer: { id: string; from: string; to: string; amount: number };
export declare function book(tx: PoolClient): Promise<{ booked: number }>;
