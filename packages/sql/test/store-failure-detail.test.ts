/**
 * A real store failure (PostgreSQL answering for a table that does not exist) becomes a 503 whose
 * problem detail is generic: the driver's message, with the table's name, reaches `onStoreError` only.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import type { IdempotencyError } from '@idem/core';
import { idempotency } from '@idem/express';
import { SqlStore } from '../src';
import { postgresDatabase } from './databases';

describe('a store failure answered over HTTP', () => {
  const database = postgresDatabase();
  const reported: IdempotencyError[] = [];
  let server: Server;
  let available = false;

  beforeAll(async () => {
    available = await database.available();
    // No migrate(): every statement fails with `relation "<table>" does not exist`.
    const store = new SqlStore({ dialect: database.dialect, table: database.table });
    const app = express();
    app.use(idempotency({ store, onStoreError: (error) => void reported.push(error) }));
    app.post('/payments', (_req, res) => void res.status(201).json({ charged: true }));
    server = app.listen(0);
  });
  afterAll(async () => {
    server.close();
    await database.dispose();
  });

  it('tells the client the store is unavailable, and only onStoreError what the driver said', async () => {
    if (!available) return;
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/payments`, { method: 'POST', headers: { 'idempotency-key': 'k1' } });
    const text = await response.text();

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(JSON.parse(text)).toMatchObject({ code: 'STORAGE_ERROR', status: 503 });
    expect(text).not.toContain(database.table);
    expect(text).not.toMatch(/does not exist|relation/);
    expect(JSON.parse(text).detail).toBe(
      'The idempotency store could not be reached, so this request was not processed. Retry it after the Retry-After delay.',
    );

    expect(reported).toHaveLength(1);
    expect(reported[0]?.message).toContain(`relation "${database.table}" does not exist`);
  });
});
