import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app';
import { openStore } from '../src/store';
import { paymentSmokeTests } from '../../payment-smoke';

const dir = mkdtempSync(join(tmpdir(), 'idem-example-'));
const table = `idem_example_${randomBytes(5).toString('hex')}`;
let opened: Awaited<ReturnType<typeof openStore>> | undefined;
let server: Server;
let base = '';

beforeAll(async () => {
  opened = await openStore(join(dir, 'payments.db'), table);
  server = createApp(opened.store).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (opened) {
    await opened.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

paymentSmokeTests(() => base);
