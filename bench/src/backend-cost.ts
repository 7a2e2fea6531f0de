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
}

interface Counter {
  start(): Promise<void>;
  /** Commands since `start()`. */
  read(): Promise<number>;
  /** Commands run inside server-side scripts since `start()`, where the backend shows them. */
  readInScripts?(): number;
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
  else if (store === 'postgres' || store === 'sqlite') counter = statementCounter(server);
  else return undefined;
  const replayKey = `${keyPrefix}-cost-replay`;
  await prime(server.url, replayKey);
  await counter.start();
  try {
    // Sequential requests: each one's commands are its own, nothing overlaps.
    for (let i = 0; i < requests; i++) await prime(server.url, `${keyPrefix}-cost-${i}`);
    const afterFirst = await counter.read();
    const scriptsAfterFirst = counter.readInScripts?.() ?? 0;
    for (let i = 0; i < requests; i++) await prime(server.url, replayKey);
    const afterReplay = await counter.read();
    const cost: BackendCost = { first: afterFirst / requests, replay: (afterReplay - afterFirst) / requests };
    if (counter.readInScripts) {
      cost.firstInScripts = scriptsAfterFirst / requests;
      cost.replayInScripts = (counter.readInScripts() - scriptsAfterFirst) / requests;
    }
    return cost;
  } finally {
    await counter.stop();
  }
}

/** MONITOR lines arrive after the command ran: give the last ones a moment. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

function redisMonitor(url: string, tag: string): Counter {
  let monitor: { disconnect(): void } | undefined;
  let count = 0;
  let inScripts = 0;
  return {
    async start() {
      const client = new Redis(url);
      const session = await client.monitor();
      session.on('monitor', (_time: string, args: unknown[], source: string) => {
        if (!args.some((arg) => String(arg).includes(tag))) return;
        if (source === 'lua') inScripts++;
        else count++;
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
