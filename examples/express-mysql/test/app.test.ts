import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serviceAvailable } from '@idem/testkit';
import { createApp } from '../src/app';
import { openStore } from '../src/store';
import { paymentSmokeTests } from '../../payment-smoke';

const url = process.env.IDEM_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const table = `idem_example_${randomBytes(5).toString('hex')}`;
let opened: Awaited<ReturnType<typeof openStore>> | undefined;
let available = false;
let server: Server;
let base = '';

beforeAll(async () => {
  available = await serviceAvailable('MariaDB/MySQL', async () => {
    opened = await openStore(url, table);
  });
  if (!available || !opened) return;
  server = createApp(opened.store).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (opened) {
    await opened.pool.query(`DROP TABLE IF EXISTS \`${table}\``);
    await opened.close();
  }
});

paymentSmokeTests(() => (available ? base : undefined));
