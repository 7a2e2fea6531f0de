/** Express + @idem/express on @idem/memory (default maxEntries). */
import { idempotency } from '@idem/express';
import { MemoryStore } from '@idem/memory';
import { createBenchApp, serve } from './bench-app';

const store = new MemoryStore();
serve(createBenchApp({ protect: [idempotency({ store })] }), () => store.close());
