import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MemoryStore } from '@idem/memory';
import { AppModule } from '../src/app.module';

const store = new MemoryStore();
let app: INestApplication;
let base = '';

beforeAll(async () => {
  app = await NestFactory.create(AppModule.withStore(store), { logger: false });
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  await app.close();
  await store.close();
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
