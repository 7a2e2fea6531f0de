// What the Koa README's samples leave to the reader: the app and the store of the quick start, and
// the app's own charge.
import type { Pool } from 'pg';
import type Koa from 'koa';
import type { IdempotencyStore } from '@idem/core';
import type { IdempotencyState } from '@idem/koa';

export declare const app: Koa<IdempotencyState>;
export declare const store: IdempotencyStore;
export declare function charge(body: unknown): Promise<{ id: string }>;
export declare const pool: Pool;
