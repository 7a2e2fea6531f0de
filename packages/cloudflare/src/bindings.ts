/**
 * The parts of the Workers runtime's bindings the stores use, typed structurally so the package needs
 * neither `@cloudflare/workers-types` nor `cloudflare:workers`: the real `DurableObjectNamespace`,
 * `DurableObjectState` and `D1Database` fit these shapes, and the package still loads under Node.
 */

/** A Durable Object namespace binding (`env.IDEMPOTENCY`). */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: unknown): DurableObjectStubLike;
}

export interface DurableObjectStubLike {
  fetch(
    input: string,
    init: { method: string; body: Uint8Array },
  ): Promise<{
    ok: boolean;
    status: number;
    arrayBuffer(): Promise<ArrayBuffer>;
    text(): Promise<string>;
  }>;
}

/** The transactional storage of one Durable Object (`ctx.storage`), key-value API. */
export interface DurableObjectStorageLike {
  get<T = unknown>(key: string): Promise<T | undefined>;
  get<T = unknown>(keys: string[]): Promise<Map<string, T>>;
  put(entries: Record<string, unknown>): Promise<void>;
  delete(keys: string[]): Promise<number>;
  list<T = unknown>(options: { prefix: string }): Promise<Map<string, T>>;
  getAlarm(): Promise<number | null>;
  setAlarm(scheduledTime: number): Promise<void>;
  deleteAlarm(): Promise<void>;
}

/** What the runtime hands a Durable Object's constructor. */
export interface DurableObjectStateLike {
  readonly storage: DurableObjectStorageLike;
}

/** A D1 database binding (`env.DB`). */
export interface D1DatabaseLike {
  prepare(sql: string): D1PreparedStatementLike;
}

export interface D1PreparedStatementLike {
  bind(...values: unknown[]): D1PreparedStatementLike;
  all<T = Record<string, unknown>>(): Promise<{ results: T[]; meta: { changes?: number } }>;
}
