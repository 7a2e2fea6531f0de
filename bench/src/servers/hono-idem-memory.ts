/** Hono + @idem/hono on @idem/memory (default maxEntries). */
import { idempotency } from '@idem/hono';
import { MemoryStore } from '@idem/memory';
import { createHonoBenchApp, serveHono } from './hono-app';

const store = new MemoryStore();
serveHono(createHonoBenchApp(idempotency({ store })), () => store.close());
