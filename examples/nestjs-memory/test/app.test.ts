import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MemoryStore } from '@idem/memory';
import { AppModule } from '../src/app.module';
import { paymentSmokeTests } from '../../payment-smoke';

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

paymentSmokeTests(() => base);
