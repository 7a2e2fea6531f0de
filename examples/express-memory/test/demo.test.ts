import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../src/app';

describe('payments example', () => {
  let server: Server;
  let base: string;
  const { app, executions } = createApp({ chargeDelayMs: 10 });

  beforeAll(async () => {
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const pay = (key: string | undefined, body: object) =>
    fetch(`${base}/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(body),
    });

  it('charges once and replays the charge to a retry', async () => {
    const first = await pay('order-1', { amount: 1000, currency: 'eur' });
    const retry = await pay('order-1', { amount: 1000, currency: 'eur' });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.text()).toBe(await first.text());
    expect(executions()).toBe(1);
  });

  it('refuses a payment without a key', async () => {
    const response = await pay(undefined, { amount: 1000, currency: 'eur' });
    expect(response.status).toBe(400);
    expect(executions()).toBe(1);
  });
});
