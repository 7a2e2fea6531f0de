/** How long and how hard each part of the run goes: the full run, and the smoke run (`--smoke`). */
export interface BenchSettings {
  /** autocannon connections, fixed for every cell. */
  connections: number;
  /** Seconds of load per measured cell. */
  cellSeconds: number;
  /** Seconds of unmeasured load after a server starts. */
  warmupSeconds: number;
  /** Each cell is measured this many times, in separate rounds over all variants. */
  repeats: number;
  /** Bursts of concurrent duplicates per variant, and duplicates per burst. */
  bursts: number;
  burstSize: number;
  /** Sequential requests per mode when counting backend commands. */
  costRequests: number;
  /** Unique keys pushed through each memory store. */
  memoryKeys: number;
  /** A store that cannot take `memoryKeys` in this long is reported with what it reached. */
  memorySeconds: number;
  /** Seconds per function-API cell, and calls in flight. */
  functionSeconds: number;
  functionConcurrency: number;
}

export const FULL: BenchSettings = {
  connections: 10,
  cellSeconds: 3,
  warmupSeconds: 1,
  repeats: 2,
  bursts: 5,
  burstSize: 50,
  costRequests: 200,
  memoryKeys: 200_000,
  memorySeconds: 20,
  functionSeconds: 2,
  functionConcurrency: 10,
};

export const SMOKE: BenchSettings = {
  connections: 10,
  cellSeconds: 1,
  warmupSeconds: 0.5,
  repeats: 1,
  bursts: 2,
  burstSize: 50,
  costRequests: 20,
  memoryKeys: 20_000,
  memorySeconds: 3,
  functionSeconds: 0.5,
  functionConcurrency: 10,
};

export const serviceUrls = {
  redis: process.env.IDEM_REDIS_URL ?? 'redis://127.0.0.1:6379',
  postgres: process.env.IDEM_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  mysql: process.env.IDEM_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
};
