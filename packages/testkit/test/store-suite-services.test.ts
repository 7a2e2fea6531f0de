import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { storeConformanceSuite, type StoreSuiteOptions, type TestApi } from '../src';

/** A runner that only records what the suite registers. */
function recordingRunner() {
  const ran: string[] = [];
  const skipped: string[] = [];
  const it = Object.assign((name: string) => void ran.push(name), { skip: (name: string) => void skipped.push(name) });
  const api: TestApi = { describe: (_name, fn) => fn(), it, beforeAll: () => undefined, afterAll: () => undefined };
  return { api, ran, skipped };
}

const neverBuilt: StoreSuiteOptions['createStore'] = () => Promise.reject(new Error('not built in this test'));

/** A port nothing listens on: one the OS just gave out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('store suite whose service is missing', () => {
  const saved = { CI: process.env.CI, IDEM_REQUIRE_SERVICES: process.env.IDEM_REQUIRE_SERVICES };
  let warn: jest.SpyInstance;
  beforeEach(() => {
    delete process.env.CI;
    delete process.env.IDEM_REQUIRE_SERVICES;
    warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    warn.mockRestore();
  });

  it('reports every test as skipped, naming the service, and says so loudly', async () => {
    const url = `redis://127.0.0.1:${await closedPort()}`;
    const runner = recordingRunner();
    storeConformanceSuite(runner.api, 'Unreachable', { createStore: neverBuilt, service: { name: 'Redis', url } });
    expect(runner.ran).toEqual([]);
    expect(runner.skipped.length).toBeGreaterThan(20);
    for (const name of runner.skipped) expect(name).toMatch(/\(skipped: Redis is not reachable at 127\.0\.0\.1:\d+\)$/);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('SKIPPED: Redis is not reachable'));
  });

  it('registers the tests to run (and fail) when CI or IDEM_REQUIRE_SERVICES is set', async () => {
    const url = `redis://127.0.0.1:${await closedPort()}`;
    for (const variable of ['CI', 'IDEM_REQUIRE_SERVICES']) {
      process.env[variable] = '1';
      const runner = recordingRunner();
      storeConformanceSuite(runner.api, 'Required', { createStore: neverBuilt, service: { name: 'Redis', url } });
      expect(runner.skipped).toEqual([]);
      expect(runner.ran.length).toBeGreaterThan(20);
      delete process.env[variable];
    }
  });

  it('runs every test when the service answers', async () => {
    let server: Server | undefined;
    try {
      server = createServer((socket) => socket.end());
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const runner = recordingRunner();
      const { port } = server.address() as AddressInfo;
      storeConformanceSuite(runner.api, 'Reachable', {
        createStore: neverBuilt,
        service: { name: 'Redis', url: `redis://127.0.0.1:${port}` },
      });
      expect(runner.skipped).toEqual([]);
      expect(runner.ran.length).toBeGreaterThan(20);
    } finally {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    }
  });
});
