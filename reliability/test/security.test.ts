/**
 * Security proofs on every store: tenants never see each other's responses; the store holds no request
 * header and no request body (read from the raw Redis value and SQL row); `hashKeys: true` stores no
 * plain key; identifiers that try injection are refused; hostile-looking keys are stored and replayed
 * as plain data.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { ConfigurationError } from '@idem/core';
import { mysql, postgres, sqlite, SqlStore } from '@idem/sql';
import { allBackends, type Backend } from './support/backends';
import { startPaymentsApp, type PaymentsApp } from './support/payments-app';
import { reportTally, tally } from './support/tally';

reportTally('security');

function post(app: PaymentsApp, key: string, options: { tenant?: string; headers?: Record<string, string>; body?: unknown } = {}) {
  return fetch(`${app.url}/payments`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': key,
      ...(options.tenant ? { 'x-tenant': options.tenant } : {}),
      ...options.headers,
    },
    body: JSON.stringify(options.body ?? { amount: 100 }),
  });
}

describe.each(allBackends().map((backend) => [backend.label, backend] as const))('%s: security', (_label, backend: Backend) => {
  let available = false;
  const apps: PaymentsApp[] = [];
  const start = async (options: { hashKeys?: boolean; prefix?: string } = {}) => {
    const app = await startPaymentsApp({
      store: backend.store({ prefix: options.prefix }),
      ...(options.hashKeys ? { hashKeys: true } : {}),
    });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    available = await backend.available();
    if (available) await backend.prepare();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(() => backend.dispose());

  it('two tenants using the same key never see each other’s response', async () => {
    if (!available) return;
    const app = await start();
    const key = `shared-${randomBytes(4).toString('hex')}`;
    const alice = await post(app, key, { tenant: 'alice' });
    const bob = await post(app, key, { tenant: 'bob' });
    expect([alice.status, bob.status]).toEqual([201, 201]);
    expect(bob.headers.get('idempotent-replayed')).toBeNull();
    const [aliceBody, bobBody] = [await alice.text(), await bob.text()];
    expect(JSON.parse(aliceBody).tenant).toBe('alice');
    expect(JSON.parse(bobBody).tenant).toBe('bob');
    for (const [tenant, body] of [
      ['alice', aliceBody],
      ['bob', bobBody],
    ] as const) {
      const replay = await post(app, key, { tenant });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(await replay.text()).toBe(body);
    }
    // No tenant at all is a third namespace, not a way into either.
    const anonymous = await post(app, key);
    expect(anonymous.headers.get('idempotent-replayed')).toBeNull();
    expect(JSON.parse(await anonymous.text()).tenant).toBeNull();
    expect(app.executions).toBe(3);
    tally.executions += 3;
  });

  it('stores no request header and no request body: the raw stored bytes hold neither', async () => {
    if (!available) return;
    const app = await start();
    const secret = `Bearer sk_live_${randomBytes(12).toString('hex')}`;
    const marker = `BODY-MARKER-${randomBytes(12).toString('hex')}`;
    const cookie = `session=${randomBytes(12).toString('hex')}`;
    const key = `privacy-${randomBytes(4).toString('hex')}`;
    const first = await post(app, key, { headers: { authorization: secret, cookie }, body: { amount: 100, card: marker } });
    expect(first.status).toBe(201);
    const raw = await backend.rawDump();
    expect(raw.includes(Buffer.from(key))).toBe(true); // the dump really holds this run's record
    for (const needle of [secret, secret.slice(7), marker, cookie]) expect(raw.includes(Buffer.from(needle))).toBe(false);
    tally.executions += 1;
  });

  it('hashKeys: true stores no plain key', async () => {
    if (!available) return;
    const prefix = `hashed-${randomBytes(4).toString('hex')}`;
    const app = await start({ hashKeys: true, prefix });
    const key = `plain-key-${randomBytes(8).toString('hex')}`;
    expect((await post(app, key, { tenant: 'carol' })).status).toBe(201);
    const replay = await post(app, key, { tenant: 'carol' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const raw = await backend.rawDump();
    expect(raw.includes(Buffer.from(key.slice('plain-key-'.length)))).toBe(false);
    tally.executions += 1;
  });

  it("stores and replays keys holding * ? ' -- % and binary-looking text as plain data", async () => {
    if (!available) return;
    const app = await start();
    const run = randomBytes(3).toString('hex');
    const keys = [
      '*',
      '?',
      `'`,
      '--',
      `${run}*`,
      `${run}?x`,
      `${run}' OR '1'='1`,
      `${run}; DROP TABLE idempotency_keys; --`,
      `${run}\\x00\\xff`,
      `${run}%00%ff`,
      `${run}ÿþýü`,
      `${run}[a-z]*`,
      `${run}\\`,
      `${run}{}`,
    ].map((k) => `${k}`);
    const bodies = new Map<string, string>();
    for (const key of keys) {
      const first = await post(app, key);
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull(); // no key matched another as a pattern
      bodies.set(key, await first.text());
    }
    for (const key of keys) {
      const replay = await post(app, key);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(await replay.text()).toBe(bodies.get(key));
    }
    expect(app.executions).toBe(keys.length);
    tally.executions += keys.length;
  });

  it('a prefix that looks like an injection is plain data: it namespaces, and reaches no other prefix', async () => {
    if (!available) return;
    const hostile = `x'; DROP TABLE idem; -- *?[${randomBytes(3).toString('hex')}`;
    const hostileApp = await start({ prefix: hostile });
    const plainApp = await start({ prefix: `plain-${randomBytes(3).toString('hex')}` });
    const key = `prefix-${randomBytes(4).toString('hex')}`;
    expect((await post(hostileApp, key)).status).toBe(201);
    const other = await post(plainApp, key);
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    expect((await post(hostileApp, key)).headers.get('idempotent-replayed')).toBe('true');
    tally.executions += 2;
  });
});

describe('identifiers that try injection are refused at construction', () => {
  const hostileTables = [
    'idem; DROP TABLE users',
    'idem"--',
    'idem`x',
    "idem'",
    'a b',
    'a.b.c',
    '',
    'x'.repeat(49),
    'idem/*',
    'ïdem',
    '1idem',
    'public.idem;--',
  ];
  // The dialects need a connection object only to be built; nothing is sent during construction.
  const dialects = {
    postgres: postgres({ query: async () => ({ rows: [], rowCount: 0 }) }),
    mysql: mysql({ execute: async () => [[], []] as never }),
    sqlite: sqlite(new Database(':memory:')),
  };

  it.each(Object.entries(dialects).flatMap(([name, dialect]) => hostileTables.map((table) => [name, table, dialect] as const)))(
    '%s refuses table %j',
    (_name, table, dialect) => {
      expect(() => new SqlStore({ dialect, table })).toThrow(ConfigurationError);
    },
  );

  it.each(['idempotency_keys', 'billing.idempotency_keys', '_x1'])('accepts the plain identifier %j', (table) => {
    expect(() => new SqlStore({ dialect: dialects.postgres, table })).not.toThrow();
  });
});
