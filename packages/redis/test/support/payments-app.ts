/** A small Express payments API behind the idempotency middleware, on a free port, for HTTP tests. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { idempotency, type ExpressIdempotencyOptions } from '@idem/express';

export interface PaymentsApp {
  readonly url: string;
  /** How many times the payment handler really ran. */
  executions: number;
  post(path: string, key: string, body?: unknown): Promise<Response>;
  close(): Promise<void>;
}

export async function startPaymentsApp(options: ExpressIdempotencyOptions, routes?: (app: express.Express) => void): Promise<PaymentsApp> {
  const app = express();
  const state = { executions: 0 };
  app.use(express.json());
  app.use(idempotency(options));
  app.post('/payments', (req, res) => {
    state.executions++;
    res.status(201).json({ id: `pay_${state.executions}`, amount: (req.body as { amount?: number }).amount });
  });
  routes?.(app);
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    get executions() {
      return state.executions;
    },
    set executions(value: number) {
      state.executions = value;
    },
    post: (path, key, body = { amount: 100 }) =>
      fetch(url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
