import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { serviceAvailable } from '@idem/testkit';
import { createApp } from '../src/app';
import { openStore } from '../src/store';
import { paymentSmokeTests } from '../../payment-smoke';

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

paymentSmokeTests(() => (available ? base : undefined));
