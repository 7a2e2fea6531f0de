/** Fastify + @idem/fastify on @idem/memory (default maxEntries). */
import { idempotency } from '@idem/fastify';
import { MemoryStore } from '@idem/memory';
import { createFastifyBenchApp, serveFastify } from './fastify-app';

const store = new MemoryStore();
await serveFastify(await createFastifyBenchApp((app) => app.register(idempotency, { store })), () => store.close());
