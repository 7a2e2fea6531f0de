/**
 * Service availability for suites that need a real server. A missing service skips its suite with a
 * loud message on a developer machine, and fails it when `CI` or `IDEM_REQUIRE_SERVICES` is set, so CI
 * can never pass by silently skipping.
 */
import { spawnSync } from 'node:child_process';

export const serviceUrls = {
  redis: process.env.IDEM_REDIS_URL ?? 'redis://127.0.0.1:6379',
  postgres: process.env.IDEM_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  mysql: process.env.IDEM_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
};

const DEFAULT_PORTS: Record<string, number> = {
  'redis:': 6379,
  'rediss:': 6380,
  'postgres:': 5432,
  'postgresql:': 5432,
  'mysql:': 3306,
  'mariadb:': 3306,
};

const TCP_PROBE = `
const { connect } = require('node:net');
const socket = connect(Number(process.argv[2]), process.argv[1]);
socket.setTimeout(2000, () => process.exit(1));
socket.on('error', () => process.exit(1));
socket.on('connect', () => process.exit(0));
`;

/**
 * Whether something listens at the service URL's host and port, checked synchronously (in a child
 * process): jest registers tests synchronously, so a suite that must report its tests as skipped has to
 * know before it registers them.
 */
export function serviceReachableSync(url: string): boolean {
  const parsed = new URL(url);
  const port = parsed.port ? Number(parsed.port) : DEFAULT_PORTS[parsed.protocol];
  if (port === undefined) throw new Error(`no default port known for ${parsed.protocol} (give one in the URL)`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return spawnSync(process.execPath, ['-e', TCP_PROBE, host, String(port)], { timeout: 5_000 }).status === 0;
}

export function servicesRequired(): boolean {
  return Boolean(process.env.CI || process.env.IDEM_REQUIRE_SERVICES);
}

/**
 * Runs `probe`; resolves true when the service answered. When it did not: throws if services are
 * required, otherwise prints why the suite is skipped and resolves false.
 */
export async function serviceAvailable(name: string, probe: () => Promise<unknown>): Promise<boolean> {
  try {
    await probe();
    return true;
  } catch (error) {
    const reason = `${name} is not reachable (${(error as Error)?.message ?? error})`;
    if (servicesRequired()) throw new Error(`${reason}; CI / IDEM_REQUIRE_SERVICES requires it`, { cause: error });
    console.warn(`\n  SKIPPED: ${reason}. Start it, or set IDEM_REQUIRE_SERVICES=1 to make this a failure.\n`);
    return false;
  }
}
