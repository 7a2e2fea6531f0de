import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { handle } from '../src/app';
import { store } from '../src/idempotency';
import { paymentSmokeTests } from '../../payment-smoke';

let server: Server | undefined;
let base = '';

beforeAll(async () => {
  server = createAdaptorServer({ fetch: handle }) as Server;
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server!.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await store.close();
});

paymentSmokeTests(() => base);
