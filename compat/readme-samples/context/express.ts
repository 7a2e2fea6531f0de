// What the Express README's samples leave to the reader: the app and the store of the quick start,
// and the app's own code (its charge, plain request handler, metrics and test clock).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';
import type { IdempotencyStore } from '@idem/core';

export declare const app: Express;
export declare const store: IdempotencyStore;
export declare function charge(body: unknown): Promise<{ id: string }>;
export declare function handle(req: IncomingMessage, res: ServerResponse): void;
export declare const metrics: { increment(name: string): void };
export declare const clock: { now(): number };
