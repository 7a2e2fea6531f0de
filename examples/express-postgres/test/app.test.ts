import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serviceAvailable } from '@idem/testkit';
import { createApp } from '../src/app';
import { openStore } from '../src/store';
import { paymentSmokeTests } from '../../payment-smoke';

const url = process.env.IDEM_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const table = `idem_example_${randomBytes(5).toString('hex')}`;
const ledger = `${table}_ledger`;
let opened: Awaited<ReturnType<typeof openStore>> | undefined;
let available = false;
let server: Server;
let base = '';

beforeAll(async () => {
  available = await serviceAvailable('PostgreSQL', async () => {
    opened = await openStore(url, table, ledger);
  });
  if (!available || !opened) return;
  server = createApp(opened.store, ledger).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (opened) {
    await opened.pool.query(`DROP TABLE IF EXISTS "${table}"`);
    await opened.pool.query(`DROP TABLE IF EXISTS "${ledger}"`);
    await opened.close();
  }
});

paymentSmokeTests(() => (available ? base : undefined));

it('books one ledger row for 20 concurrent duplicates of a payment', async () => {
  if (!available || !opened) return;
  const key = randomUUID();
  const before = Number((await opened.pool.query(`SELECT COUNT(*) AS n FROM "${ledger}"`)).rows[0].n);
  const answers = await Promise.all(
    Array.from({ length: 20 }, () =>
      fetch(`${base}/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: '{"amount":2500}',
      }),
    ),
  );
  expect(answers.every((answer) => answer.status === 201 || answer.status === 409)).toBe(true);
  const after = Number((await opened.pool.query(`SELECT COUNT(*) AS n FROM "${ledger}"`)).rows[0].n);
  expect(after - before).toBe(1);
});
