/**
 * Smoke test: the generated client (made by `pretest`, or here when missing), the app in a schema of
 * its own on PostgreSQL, a real socket: a replay, a refused reuse of the key, and 20 concurrent
 * duplicates booking one ledger entry.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { FastifyInstance } from 'fastify';
import { serviceAvailable } from '@idem/testkit';
import { paymentSmokeTests } from '../../payment-smoke';
import type { AppPrisma } from '../src/db';

const root = join(__dirname, '..');
const url = process.env.IDEM_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `idem_example_${randomBytes(5).toString('hex')}`;
let available = false;
let prisma: AppPrisma | undefined;
let app: FastifyInstance | undefined;
let base = '';

beforeAll(async () => {
  if (!existsSync(join(root, 'src/generated/prisma/client.ts'))) execFileSync(process.execPath, ['scripts/generate.mjs'], { cwd: root });
  // Loaded after generation: the app imports the generated client.
  const { openDatabase } = await import('../src/db');
  const { createApp } = await import('../src/app');
  available = await serviceAvailable('PostgreSQL', async () => {
    prisma = await openDatabase(url, schema);
  });
  if (!available || !prisma) return;
  app = await createApp(prisma);
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await prisma?.$disconnect();
  if (!available) return;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

paymentSmokeTests(() => (available ? base : undefined));

it('books one ledger entry for 20 concurrent duplicates of a payment, committed with the record', async () => {
  if (!available || !prisma) return;
  const key = randomUUID();
  const before = await prisma.ledgerEntry.count();
  const answers = await Promise.all(
    Array.from({ length: 20 }, () =>
      fetch(`${base}/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: '{"amount":2500}',
      }),
    ),
  );
  expect(answers.map((answer) => answer.status).filter((status) => status !== 201 && status !== 409)).toEqual([]);
  expect((await prisma.ledgerEntry.count()) - before).toBe(1);
  const replay = await fetch(`${base}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: '{"amount":2500}',
  });
  expect(replay.headers.get('idempotent-replayed')).toBe('true');
  expect((await prisma.ledgerEntry.count()) - before).toBe(1);
});

it('answers 400 for a bad amount and books nothing', async () => {
  if (!available || !prisma) return;
  const before = await prisma.ledgerEntry.count();
  const answer = await fetch(`${base}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: '{"amount":-5}',
  });
  expect(answer.status).toBe(400);
  expect(await prisma.ledgerEntry.count()).toBe(before);
});
