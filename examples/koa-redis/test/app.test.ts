import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { serviceAvailable } from '@idem/testkit';
import { createApp } from '../src/app';
import { openStore } from '../src/store';
import { paymentSmokeTests } from '../../payment-smoke';

const url = process.env.IDEM_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `idem-example-${randomBytes(5).toString('hex')}`;
let opened: ReturnType<typeof openStore> | undefined;
let available = false;
let server: Server | undefined;
let base = '';

beforeAll(async () => {
  available = await serviceAvailable('Redis', () => ping(url));
  if (!available) return;
  opened = openStore(url, prefix);
  server = createApp(opened.store).listen(0, '127.0.0.1');
  await new Promise((resolve) => server!.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (opened) {
    const keys = await opened.client.keys(`${prefix}*`);
    if (keys.length > 0) await opened.client.del(...keys);
    await opened.close();
  }
});

/** A bare PING over TCP: a missing Redis skips at once, and no client is left reconnecting. */
function ping(redisUrl: string): Promise<void> {
  const { hostname, port } = new URL(redisUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port || 6379), hostname, () => socket.write('PING\r\n'));
    socket.setTimeout(2_000, () => socket.destroy(new Error('timed out')));
    socket.once('data', () => {
      socket.end();
      resolve();
    });
    socket.once('error', reject);
  });
}

paymentSmokeTests(() => (available ? base : undefined));
