import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { serviceAvailable } from '@idem/testkit';
import { createApp } from '../src/app';
import { openStore } from '../src/store';

const url = process.env.IDEM_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const table = `idem_example_${randomBytes(5).toString('hex')}`;
let opened: Awaited<ReturnType<typeof openStore>> | undefined;
let available = false;
let app: FastifyInstance | undefined;
let base = '';

beforeAll(async () => {
  available = await serviceAvailable('PostgreSQL', async () => {
    opened = await openStore(url, table);
  });
  if (!available || !opened) return;
  app = await createApp(opened.store);
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  if (opened) {
    await opened.pool.query(`DROP TABLE IF EXISTS "${table}"`);
    await opened.close();
  }
});

const pay = (key: string, amount: number) =>
  fetch(`${base}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ amount }),
  });

it('charges once and replays the first answer to a retry with the same key', async () => {
  if (!available) return;
  const key = randomUUID();
  const first = await pay(key, 1999);
  const firstBody = await first.text();
  expect(first.status).toBe(201);
  expect(first.headers.get('idempotent-replayed')).toBeNull();

  const retry = await pay(key, 1999);
  expect(retry.status).toBe(201);
  expect(retry.headers.get('idempotent-replayed')).toBe('true');
  expect(await retry.text()).toBe(firstBody);
});

it('refuses the same key with a different amount (422)', async () => {
  if (!available) return;
  const key = randomUUID();
  await pay(key, 500);
  expect((await pay(key, 700)).status).toBe(422);
});
