/**
 * Backend commands per request, counted, not estimated. Redis: MONITOR on a separate connection,
 * keeping only commands that name this run's keys (the server is shared with other users). SQL: the
 * server counts statements through its wrapped client and exposes the count on GET /__stats.
 */
import { Redis } from 'ioredis';
import { prime } from './load';
import type { RunningServer } from './server-process';

export interface BackendCost {
  /** Commands / statements the client sent, per request. */
  first: number;
  replay: number;
  /** Redis only: commands run inside Lua scripts on the server (MONITOR's `lua` source), per request. */
  firstInScripts?: number;
  replayInScripts?: number;
  /**
   * Redis only: per command name, the share of its calls that ran inside a script, for each mode. The
   * cells' commandstats time counts such calls once (inside their script), not twice.
   */
  nestedShare?: { first: Record<string, number>; replay: Record<string, number> };
}

type NameCounts = Map<string, { top: number; lua: number }>;

interface Counter {
  start(): Promise<void>;
  /** Commands since `start()`. */
  read(): Promise<number>;
  /** Commands run inside server-side scripts since `start()`, where the backend shows them. */
  readInScripts?(): number;
  /** Per command name, calls at top level and inside scripts since `start()`. */
  readNames?(): NameCounts;
  stop(): Promise<void>;
}

export async function measureCost(
  server: RunningServer,
  store: string,
  requests: number,
  keyPrefix: string,
  { redisUrl, tag }: { redisUrl: string; tag: string },
): Promise<BackendCost | undefined> {
  let counter: Counter;
  if (store === 'redis') counter = redisMonitor(redisUrl, tag);
  else if (store === 'postgres' || store === 'mysql' || store === 'sqlite') counter = statementCounter(server);
  else return undefined;
  const replayKey = `${keyPrefix}-cost-replay`;
  await prime(server.url, replayKey);
  await counter.start();
  try {
    // Sequential requests: each one's commands are its own, nothing overlaps.
    for (let i = 0; i < requests; i++) await prime(server.url, `${keyPrefix}-cost-${i}`);
    const afterFirst = await counter.read();
    const scriptsAfterFirst = counter.readInScripts?.() ?? 0;
    const namesAfterFirst = new Map(counter.readNames?.() ?? []);
    for (let i = 0; i < requests; i++) await prime(server.url, replayKey);
    const afterReplay = await counter.read();
    const cost: BackendCost = { first: afterFirst / requests, replay: (afterReplay - afterFirst) / requests };
    if (counter.readInScripts) {
      cost.firstInScripts = scriptsAfterFirst / requests;
      cost.replayInScripts = (counter.readInScripts() - scriptsAfterFirst) / requests;
    }
    if (counter.readNames) {
      const replayNames: NameCounts = new Map();
      for (const [name, total] of counter.readNames()) {
        const first = namesAfterFirst.get(name) ?? { top: 0, lua: 0 };
        replayNames.set(name, { top: total.top - first.top, lua: total.lua - first.lua });
      }
      cost.nestedShare = { first: shares(namesAfterFirst), replay: shares(replayNames) };
    }
    return cost;
  } finally {
    await counter.stop();
  }
}

function shares(names: NameCounts): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, { top, lua }] of names) if (top + lua > 0) out[name] = lua / (top + lua);
  return out;
}

/** MONITOR lines arrive after the command ran: give the last ones a moment. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

function redisMonitor(url: string, tag: string): Counter {
  let monitor: { disconnect(): void } | undefined;
  let count = 0;
  let inScripts = 0;
  const names: NameCounts = new Map();
  return {
    async start() {
      const client = new Redis(url);
      const session = await client.monitor();
      session.on('monitor', (_time: string, args: unknown[], source: string) => {
        if (!args.some((arg) => String(arg).includes(tag))) return;
        const name = String(args[0]).toLowerCase();
        const entry = names.get(name) ?? { top: 0, lua: 0 };
        names.set(name, entry);
        if (source === 'lua') {
          inScripts++;
          entry.lua++;
        } else {
          count++;
          entry.top++;
        }
      });
      monitor = {
        disconnect: () => {
          session.disconnect();
          client.disconnect();
        },
      };
      await settle();
    },
    async read() {
      await settle();
      return count;
    },
    readInScripts: () => inScripts,
    readNames: () => names,
    async stop() {
      monitor?.disconnect();
    },
  };
}

function statementCounter(server: RunningServer): Counter {
  let base = 0;
  return {
    async start() {
      base = (await server.stats()).statements;
    },
    read: async () => (await server.stats()).statements - base,
    async stop() {},
  };
}
