/**
 * Every HTTP variant of the run. Adding one = a server file in `servers/` and one entry here.
 * `store` drives what is measured besides throughput: Redis commands per request (MONITOR), SQL
 * statements per request (counted in the server), memory growth (a `memoryCheck` store id).
 */
export type Service = 'redis' | 'postgres' | 'mysql';
export type Mode = 'bare' | 'first' | 'replay';

export interface Variant {
  id: string;
  /** Server file under src/servers/. */
  server: string;
  framework: 'express' | 'fastify' | 'hono';
  library: string;
  store: 'none' | 'memory' | 'redis' | 'postgres' | 'mysql' | 'sqlite';
  /** Shown in the table (e.g. "glue: 30 lines from the README"). */
  note?: string;
  needs: Service[];
  /** Which store `memory-check.ts` measures for this variant's memory column. */
  memoryCheck?: 'idem' | 'express-idempotency' | 'node-idempotency';
  /** idem's own variants carry the targets. */
  ours: boolean;
  /**
   * The store's own round trips with no idempotency layer around them (servers/store-floor.ts): not a
   * correct layer, so the correctness checks skip it; each idem variant on the same store is compared to it.
   */
  floor?: boolean;
}

/** The bare frameworks: each runs at the start and at the end of every round; ratios are to these. */
export const BARE: Variant[] = [
  { id: 'express-bare', server: 'express-bare.ts', framework: 'express', library: 'bare Express', store: 'none', needs: [], ours: false },
  { id: 'fastify-bare', server: 'fastify-bare.ts', framework: 'fastify', library: 'bare Fastify', store: 'none', needs: [], ours: false },
  {
    id: 'hono-bare',
    server: 'hono-bare.ts',
    framework: 'hono',
    library: 'bare Hono (@hono/node-server)',
    store: 'none',
    needs: [],
    ours: false,
  },
];

export const VARIANTS: Variant[] = [
  {
    id: 'idem-memory',
    server: 'express-idem-memory.ts',
    framework: 'express',
    library: 'idem',
    store: 'memory',
    needs: [],
    memoryCheck: 'idem',
    ours: true,
  },
  {
    id: 'idem-redis',
    server: 'express-idem-redis.ts',
    framework: 'express',
    library: 'idem',
    store: 'redis',
    needs: ['redis'],
    ours: true,
  },
  {
    // The same store behind the optional in-process cache of completed records (`withLocalCache`).
    id: 'idem-redis-cached',
    server: 'express-idem-redis-cached.ts',
    framework: 'express',
    library: 'idem (local cache)',
    store: 'redis',
    needs: ['redis'],
    ours: true,
  },
  {
    id: 'idem-postgres',
    server: 'express-idem-postgres.ts',
    framework: 'express',
    library: 'idem',
    store: 'postgres',
    needs: ['postgres'],
    ours: true,
  },
  {
    id: 'idem-postgres-ledger',
    server: 'express-idem-postgres-ledger.ts',
    framework: 'express',
    library: 'idem (plain + ledger row)',
    store: 'postgres',
    note: 'plain mode: the handler writes a ledger row on its own',
    needs: ['postgres'],
    ours: true,
  },
  {
    id: 'idem-postgres-tx',
    server: 'express-idem-postgres-tx.ts',
    framework: 'express',
    library: 'idem (transactional)',
    store: 'postgres',
    note: 'transactional mode: the same ledger row, committed with the record',
    needs: ['postgres'],
    ours: true,
  },
  {
    id: 'idem-mysql',
    server: 'express-idem-mysql.ts',
    framework: 'express',
    library: 'idem',
    store: 'mysql',
    needs: ['mysql'],
    ours: true,
  },
  { id: 'idem-sqlite', server: 'express-idem-sqlite.ts', framework: 'express', library: 'idem', store: 'sqlite', needs: [], ours: true },
  {
    id: 'express-idempotency-memory',
    server: 'express-idempotency-memory.ts',
    framework: 'express',
    library: 'express-idempotency',
    store: 'memory',
    needs: [],
    memoryCheck: 'express-idempotency',
    ours: false,
  },
  {
    id: 'express-idempotency-redis',
    server: 'express-idempotency-redis.ts',
    framework: 'express',
    library: 'express-idempotency',
    store: 'redis',
    note: 'express-idempotency-redis-adapter',
    needs: ['redis'],
    ours: false,
  },
  {
    id: 'node-idempotency-memory',
    server: 'node-idempotency-memory.ts',
    framework: 'express',
    library: '@node-idempotency/core',
    store: 'memory',
    note: 'our glue (no Express middleware published)',
    needs: [],
    memoryCheck: 'node-idempotency',
    ours: false,
  },
  {
    id: 'node-idempotency-redis',
    server: 'node-idempotency-redis.ts',
    framework: 'express',
    library: '@node-idempotency/core',
    store: 'redis',
    note: 'our glue (no Express middleware published)',
    needs: ['redis'],
    ours: false,
  },
  // The floors (servers/store-floor.ts): each store's two round trips alone, the best any layer with
  // idem's guarantees could do on it; idem on the same store is reported as a share of it.
  ...(['memory', 'redis', 'postgres', 'mysql', 'sqlite'] as const).map(
    (store): Variant => ({
      id: `floor-${store}`,
      server: `express-floor-${store}.ts`,
      framework: 'express',
      library: 'floor',
      store,
      note: "the store's acquire and complete alone, no idempotency layer around them",
      needs: store === 'memory' || store === 'sqlite' ? [] : [store],
      ours: false,
      floor: true,
    }),
  ),
  // Fastify and Hono: each compared to the bare app of its own framework, measured around it.
  {
    id: 'fastify-idem-memory',
    server: 'fastify-idem-memory.ts',
    framework: 'fastify',
    library: 'idem (Fastify)',
    store: 'memory',
    needs: [],
    ours: true,
  },
  {
    id: 'fastify-idem-redis',
    server: 'fastify-idem-redis.ts',
    framework: 'fastify',
    library: 'idem (Fastify)',
    store: 'redis',
    needs: ['redis'],
    ours: true,
  },
  {
    id: 'hono-idem-memory',
    server: 'hono-idem-memory.ts',
    framework: 'hono',
    library: 'idem (Hono)',
    store: 'memory',
    needs: [],
    ours: true,
  },
  {
    id: 'hono-idem-redis',
    server: 'hono-idem-redis.ts',
    framework: 'hono',
    library: 'idem (Hono)',
    store: 'redis',
    needs: ['redis'],
    ours: true,
  },
];
