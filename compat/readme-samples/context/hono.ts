// What the Hono README's samples leave to the reader: the app and the store of the quick start, and
// the app's own charge.
import type { Pool } from 'pg';
import type { Hono } from 'hono';
import type { IdempotencyStore } from '@idem/core';
import type { IdempotencyEnv } from '@idem/hono';

export declare const app: Hono<IdempotencyEnv>;
export declare const store: IdempotencyStore;
export declare function charge(body: unknown): Promise<{ id: string }>;
export declare const pool: Pool;
