/** One protector for every route handler of the app: they share the store and the options. */
import { idempotency } from '@idem/fetch';
import { MemoryStore } from '@idem/memory';

export const store = new MemoryStore();
export const protect = idempotency({ store });
