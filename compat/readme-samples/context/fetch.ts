// What the fetch README's samples leave to the reader: a store, the app's own charge and handlers,
// and the runtimes' globals, reduced to the signature the samples rely on (a fetch handler).
import type { Pool } from 'pg';
import type { IdempotencyStore } from '@idem/core';

export declare const store: IdempotencyStore;
export declare function charge(amount: unknown): Promise<{ id: string }>;
export declare function handler(request: Request): Promise<Response>;
export declare function route(request: Request): Promise<Response>;
export declare const request: Request;
export declare const Bun: { serve(options: { port: number; fetch(request: Request): Response | Promise<Response> }): unknown };
export declare const Deno: { serve(handler: (request: Request) => Response | Promise<Response>): unknown };
export declare const pool: Pool;
