import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { createApp } from '../src/app';
import { openStore } from '../src/store';

const dir = mkdtempSync(join(tmpdir(), 'idem-example-'));
const table = `idem_example_${randomBytes(5).toString('hex')}`;
let opened: Awaited<ReturnType<typeof openStore>> | undefined;
let server: Server | undefined;
let base = '';

beforeAll(async () => {
  opened = await openStore(join(dir, 'payments.db'), table);
  server = createAdaptorServer({ fetch: createApp(opened.store).fetch }) as Server;
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server!.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await opened?.close();
  rmSync(dir, { recursive: true, force: true });
});

const pay = (key: string, amount: number) =>
  fetch(`${base}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ amount }),
  });

it('charges once and replays the first answer to a retry with the same key', async () => {
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
  const key = randomUUID();
  await pay(key, 500);
  expect((await pay(key, 700)).status).toBe(422);
});
