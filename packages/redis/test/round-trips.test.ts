/**
 * Round trips per request, counted on the wire: a MONITOR connection sees every command the store's
 * client sends while the real Express middleware serves a first request and a replay.
 * Expected: a replay costs 1 command (`SET … NX … GET` answers with the stored record), a first
 * execution 2 (that SET, then the complete script). The client auto-pipelines, as a store-created one does.
 */
import { randomUUID } from 'node:crypto';
import { serviceAvailable, serviceUrls } from '@idem/testkit';
import { Redis } from 'ioredis';
import { RedisStore } from '../src';
import { deleteKeysWithPrefix } from './support/cleanup';
import { startPaymentsApp, type PaymentsApp } from './support/payments-app';

const prefix = `idem-redis-roundtrips-${randomUUID().slice(0, 8)}:`;
const client = new Redis(serviceUrls.redis, { maxRetriesPerRequest: 1, lazyConnect: true, enableAutoPipelining: true });
client.on('error', () => {});
const monitorSource = new Redis(serviceUrls.redis, { lazyConnect: true });
let monitor: Awaited<ReturnType<Redis['monitor']>> | undefined;
let app: PaymentsApp | undefined;
let clientAddress = '';
const seen: { source: string; args: string[] }[] = [];

beforeAll(async () => {
  const available = await serviceAvailable('Redis', async () => {
    await client.connect();
    await client.ping();
  });
  if (!available) return;
  // The address the store's connection has on the server: MONITOR reports it as each command's source.
  clientAddress = /(?:^|\s)addr=(\S+)/.exec(String(await client.client('INFO')))?.[1] ?? '';
  monitor = await monitorSource.monitor();
  monitor.on('monitor', (_time: string, args: string[], source: string) => seen.push({ source, args }));
  app = await startPaymentsApp({ store: new RedisStore({ client, prefix }) });
});

afterAll(async () => {
  await app?.close();
  monitor?.disconnect();
  monitorSource.disconnect();
  if (client.status === 'ready') await deleteKeysWithPrefix(client, prefix);
  client.disconnect();
});

/** The commands the store's client sent during `action` (a marker ECHO fences the end of the window). */
async function commandsDuring(action: () => Promise<unknown>): Promise<string[]> {
  seen.length = 0;
  await action();
  const marker = `idem-marker-${randomUUID()}`;
  await client.echo(marker);
  const deadline = Date.now() + 15_000;
  while (!seen.some((c) => c.args.includes(marker))) {
    if (Date.now() > deadline) throw new Error('MONITOR never saw the marker');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const index = seen.findIndex((c) => c.args.includes(marker));
  return seen
    .slice(0, index)
    .filter((c) => c.source === clientAddress)
    .map((c) => String(c.args[0]).toLowerCase());
}

describe('RedisStore round trips per request (through @idem/express)', () => {
  it('costs 2 commands for a first execution and 1 for a replay', async () => {
    if (!app || !monitor) return;
    // Warm-up on another key: the first script call on a server may need EVALSHA → NOSCRIPT → EVAL.
    // Fenced like the measured requests: MONITOR's stream lags the server, so an unfenced warm-up's
    // last commands could arrive after the next window had started.
    await commandsDuring(() => app!.post('/payments', `warmup-${randomUUID()}`));
    const key = `pay-${randomUUID()}`;

    let first: Response | undefined;
    const firstCommands = await commandsDuring(async () => {
      first = await app!.post('/payments', key);
    });
    let replay: Response | undefined;
    const replayCommands = await commandsDuring(async () => {
      replay = await app!.post('/payments', key);
    });
    console.log(
      `commands per request: first execution ${firstCommands.length} (${firstCommands.join(', ')}), replay ${replayCommands.length} (${replayCommands.join(', ')})`,
    );

    expect(first?.status).toBe(201);
    expect(replay?.status).toBe(201);
    expect(replay?.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay?.json()).toEqual({ id: 'pay_2', amount: 100 });
    expect(app.executions).toBe(2); // the warm-up and the first request; the replay did not run
    expect(firstCommands).toEqual(['set', 'evalsha']);
    expect(replayCommands).toEqual(['set']);
  });
});
