/** The floor under idem on the memory store (store-floor.ts): the MemoryStore's two calls alone. */
import { MemoryStore } from '@idem/memory';
import { createBenchApp, serve } from './bench-app';
import { storeFloor } from './store-floor';

const store = new MemoryStore();
serve(createBenchApp({ protect: [storeFloor(store)] }), () => store.close());
