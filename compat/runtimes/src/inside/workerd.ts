/** The scenario app as a Workers module (workerd, through miniflare), with the memory store. */
import { MemoryStore } from '@idem/memory';
import { scenarioRuntime } from './scenario-app';

const fetch = scenarioRuntime({ memory: () => new MemoryStore() });

export default { fetch };
