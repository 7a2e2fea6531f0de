/**
 * An in-process Express payments API behind the middleware, on a free loopback port, for the security
 * proofs (which read the store's raw bytes afterwards and need no separate process).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { idempotency, type ExpressIdempotencyOptions } from '@idem/express';

export interface PaymentsApp {
  readonly url: string;
  readonly executions: number;
  close(): Promise<void>;
}

export async function startPaymentsApp(options: ExpressIdempotencyOptions): Promise<PaymentsApp> {
  const app = express();
  let executions = 0;
  app.use(express.json());
  app.use(idempotency({ scope: (req) => req.headers['x-tenant'] as string | undefined, ...options }));
  // The answer never echoes the request: what the store holds must come from the response alone.
  app.post('/payments', (req, res) => {
    executions++;
    res.status(201).json({ id: `pay_${executions}`, tenant: req.headers['x-tenant'] ?? null });
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get executions() {
      return executions;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
