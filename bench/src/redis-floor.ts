/**
 * `pnpm --filter @idem/bench redis-floor`: what each Redis step of a first execution costs inside the
 * server (µs per call from `INFO commandstats`, on a redis-server of its own), beside the cheapest
 * commands Redis has. It shows the floor of "Redis µs per first execution" for a store that keeps
 * idem's guarantees: the fenced complete must compare the lease token and write in one atomic step,
 * which Redis before 8.4 (no `SET … IFEQ`) can only do in a script, and a script's entry cost alone is
 * several times a native command's.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pendingOwner, pendingValue, time16 } from '../../packages/redis/src/record';
import { COMPLETE } from '../../packages/redis/src/scripts';
import { startRedisServer } from '../../packages/redis/test/support/redis-server';
import { argument } from './argument';

const CALLS = Number(argument('calls', '20000'));
const BATCH = 500;
/** The encoded response a complete stores (status, headers, body): about 200 bytes for the bench's JSON answer. */
const RESPONSE = Buffer.alloc(Number(argument('response-bytes', '200')), 'r');
const EMPTY_SCRIPT = 'return 1';
/** The least a fenced write can be: compare one value, write another. */
const COMPARE_AND_SET = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[1], ARGV[2]) end return 0`;
/** idem's complete without building the record in Lua: compare the owner bytes, then write in place. */
const COMPLETE_IN_PLACE = `if redis.call('GETRANGE', KEYS[1], 0, 36) ~= ARGV[1] then return 0 end
redis.call('SETRANGE', KEYS[1], 0, 'C')
redis.call('SETRANGE', KEYS[1], 53, ARGV[2])
redis.call('APPEND', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`;
const FUNCTION_LIBRARY = `#!lua name=idemfloor
redis.register_function('complete', function(KEYS, ARGV)
${COMPLETE.lua}
end)`;

type Step = {
  name: string;
  prepare?: (keys: string[]) => Promise<void>;
  command: (pipe: ReturnType<Redis['pipeline']>, key: string) => void;
  stat: string;
};

const server = await startRedisServer();
const redis = new Redis(server.url);
try {
  const emptySha = (await redis.script('LOAD', EMPTY_SCRIPT)) as string;
  const casSha = (await redis.script('LOAD', COMPARE_AND_SET)) as string;
  await redis.script('LOAD', COMPLETE.lua);
  const inPlaceSha = (await redis.script('LOAD', COMPLETE_IN_PLACE)) as string;
  await redis.call('FUNCTION', 'LOAD', 'REPLACE', FUNCTION_LIBRARY);
  const token = randomUUID();
  const pending = pendingValue(token, 'f'.repeat(43), Date.now(), 30_000, 86_400_000);
  const writePending = async (keys: string[]) => {
    for (let i = 0; i < keys.length; i += BATCH) {
      const pipe = redis.pipeline();
      for (const key of keys.slice(i, i + BATCH)) pipe.set(key, pending, 'PX', 600_000);
      await pipe.exec();
    }
  };
  const completeArgs = [pendingOwner(token), time16(Date.now() + 86_400_000), RESPONSE, '86400000'] as const;
  const steps: Step[] = [
    { name: 'GET (a native read)', stat: 'get', prepare: writePending, command: (pipe, key) => pipe.getBuffer(key) },
    { name: 'SET (a native write)', stat: 'set', command: (pipe, key) => pipe.set(key, pending) },
    {
      name: 'SET NX PX GET on a new key: idem acquire',
      stat: 'set',
      command: (pipe, key) => pipe.call('SET', key, pending, 'NX', 'PX', '30000', 'GET'),
    },
    {
      name: 'SET NX PX GET on a live key: idem replay',
      stat: 'set',
      prepare: writePending,
      command: (pipe, key) => pipe.call('SET', key, pending, 'NX', 'PX', '30000', 'GET'),
    },
    { name: "EVALSHA 'return 1' (a script's entry cost)", stat: 'evalsha', command: (pipe, key) => pipe.evalsha(emptySha, 1, key) },
    {
      name: 'EVALSHA compare-and-set (the least fenced write)',
      stat: 'evalsha',
      prepare: writePending,
      command: (pipe, key) => pipe.evalsha(casSha, 1, key, pending, 'C'),
    },
    {
      name: 'EVALSHA complete: idem complete',
      stat: 'evalsha',
      prepare: writePending,
      command: (pipe, key) => pipe.evalsha(COMPLETE.sha, 1, key, ...completeArgs),
    },
    {
      name: 'EVALSHA complete in place (GETRANGE, SETRANGE ×2, APPEND, PEXPIRE)',
      stat: 'evalsha',
      prepare: writePending,
      command: (pipe, key) => pipe.evalsha(inPlaceSha, 1, key, ...completeArgs),
    },
    {
      name: 'FCALL complete (the same Lua as a Redis 7 function)',
      stat: 'fcall',
      prepare: writePending,
      command: (pipe, key) => pipe.call('FCALL', 'complete', '1', key, ...completeArgs),
    },
  ];
  const rows: string[] = [];
  for (const [index, step] of steps.entries()) {
    const keys = Array.from({ length: CALLS }, (_, i) => `floor:${index}:${i}`);
    await step.prepare?.(keys);
    await redis.call('CONFIG', 'RESETSTAT');
    for (let i = 0; i < keys.length; i += BATCH) {
      const pipe = redis.pipeline();
      for (const key of keys.slice(i, i + BATCH)) step.command(pipe, key);
      const replies = await pipe.exec();
      const failed = replies?.find(([error]) => error);
      if (failed) throw failed[0];
    }
    const stats = await redis.info('commandstats');
    const match = new RegExp(`^cmdstat_${step.stat}:calls=(\\d+),usec=(\\d+)`, 'm').exec(stats);
    const [calls, usec] = [Number(match?.[1]), Number(match?.[2])];
    rows.push(`| ${step.name} | ${calls.toLocaleString('en-US')} | ${(usec / calls).toFixed(2)} |`);
    await redis.flushall();
  }
  process.stdout.write(
    `Redis ${(await redis.info('server')).match(/redis_version:(\S+)/)?.[1]}, ${CALLS.toLocaleString('en-US')} calls per step, pipelined in batches of ${BATCH}, ${RESPONSE.length} B responses\n\n` +
      `| step | calls | µs per call (commandstats) |\n|---|---:|---:|\n${rows.join('\n')}\n`,
  );
} finally {
  redis.disconnect();
  await server.stop();
}
