import { createApp } from './app';
import { openDatabase } from './db';

const url = process.env.DATABASE_URL ?? process.env.IDEM_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const port = Number(process.env.PORT ?? 3000);

openDatabase(url, process.env.DATABASE_SCHEMA)
  .then((prisma) => createApp(prisma))
  .then((app) => app.listen({ port }))
  .then((address) => console.log(`payments API on ${address}`));
