import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serviceAvailable, serviceUrls } from '@idem/testkit';
import { createApp } from '../src/app';
import { openStore } from '../src/store';
import { paymentSmokeTests } from '../../payment-smoke';

const prefix = `idem-example-${randomUUID().slice(0, 8)}`;
const store = openStore(serviceUrls.redis, prefix);
let available = false;
let server: Server | undefined;
let base = '';

beforeAll(async () => {
  available = await serviceAvailable('Redis', () => store.client.ping());
  if (!available) return;
  server = createApp(store).listen(0);
  await new Promise((resolve) => server!.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (available) {
    const keys = await store.client.keys(`${prefix}*`);
    if (keys.length) await store.client.del(...keys);
  }
  await store.close();
});

paymentSmokeTests(() => (available ? base : undefined));
