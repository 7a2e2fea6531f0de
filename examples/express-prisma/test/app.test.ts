/**
 * Smoke test: the generated client (made by `pretest`, or here when missing), the app on a temp
 * SQLite file, a real socket, one order and its replay.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');
let dir: string;
let server: Server;
let url: string;
let prisma: { $disconnect(): Promise<void>; order: { count(): Promise<number> } };

beforeAll(async () => {
  if (!existsSync(join(root, 'src/generated/prisma/client.ts'))) execFileSync(process.execPath, ['scripts/generate.mjs'], { cwd: root });
  // Loaded after generation: the app imports the generated client.
  const { openDatabase } = await import('../src/db');
  const { createApp } = await import('../src/app');
  dir = mkdtempSync(join(tmpdir(), 'idem-example-prisma-'));
  const client = openDatabase(join(dir, 'orders.db'));
  prisma = client;
  server = createApp(client).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await prisma?.$disconnect();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const order = (key: string, body: unknown) =>
  fetch(`${url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });

it('creates the order once and replays the first answer to a retry', async () => {
  const first = await order('order-1', { product: 'coffee', quantity: 2 });
  const firstBody = await first.text();
  expect(first.status).toBe(201);
  expect(first.headers.get('idempotent-replayed')).toBeNull();

  const retry = await order('order-1', { product: 'coffee', quantity: 2 });
  expect(retry.status).toBe(201);
  expect(retry.headers.get('idempotent-replayed')).toBe('true');
  expect(await retry.text()).toBe(firstBody);
  expect(await prisma.order.count()).toBe(1);
});

it('answers 422 when the key is reused for another order', async () => {
  await order('order-2', { product: 'tea', quantity: 1 });
  const reused = await order('order-2', { product: 'tea', quantity: 5 });
  expect(reused.status).toBe(422);
  expect(reused.headers.get('content-type')).toMatch(/application\/problem\+json/);
});

it('creates one order for 10 concurrent duplicates, in the record’s transaction', async () => {
  const before = await prisma.order.count();
  const answers = await Promise.all(Array.from({ length: 10 }, () => order('order-3', { product: 'cake', quantity: 1 })));
  expect(answers.every((answer) => answer.status === 201 || answer.status === 409)).toBe(true);
  expect((await prisma.order.count()) - before).toBe(1);
});
