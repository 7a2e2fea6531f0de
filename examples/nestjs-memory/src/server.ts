import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { MemoryStore } from '@idem/memory';
import { AppModule } from './app.module';

const port = Number(process.env.PORT ?? 3000);

NestFactory.create(AppModule.withStore(new MemoryStore()))
  .then((app) => app.listen(port))
  .then(() => console.log(`payments API on http://localhost:${port}`));
