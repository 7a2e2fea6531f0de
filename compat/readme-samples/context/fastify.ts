// What the Fastify README's samples leave to the reader: the app and the store of the quick start,
// and the app's own code (its charge and its route handlers).
import type { Pool } from 'pg';
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import type { IdempotencyStore } from '@idem/core';

export declare const app: FastifyInstance;
export declare const store: IdempotencyStore;
export declare function charge(body: unknown): Promise<{ id: string }>;
export declare const handler: RouteHandlerMethod;
export declare const pool: Pool;
