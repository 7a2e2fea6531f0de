import { MemoryStore } from '@idem/memory';
import { storeConformanceSuite } from '../src/store-suite';

// The testkit checks itself against the reference store.
storeConformanceSuite({ describe, it, beforeAll, afterAll }, 'MemoryStore (testkit self-check)', {
  createStore: ({ prefix }) => new MemoryStore({ prefix }),
});
