/** Peer: @node-idempotency/core + its memory adapter, through the README's glue. */
import { Idempotency } from '@node-idempotency/core';
import { MemoryStorageAdapter } from '@node-idempotency/storage-adapter-memory';
import { createBenchApp, serve } from './bench-app';
import { nodeIdempotencyMiddleware } from './node-idempotency-glue';

const idempotency = new Idempotency(new MemoryStorageAdapter());
serve(createBenchApp({ protect: [nodeIdempotencyMiddleware(idempotency)] }));
