/**
 * Service availability for suites that need a real server. A missing service skips its suite with a
 * loud message on a developer machine, and fails it when `CI` or `IDEM_REQUIRE_SERVICES` is set, so CI
 * can never pass by silently skipping.
 */
export const serviceUrls = {
  redis: process.env.IDEM_REDIS_URL ?? 'redis://127.0.0.1:6379',
  postgres: process.env.IDEM_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  mysql: process.env.IDEM_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
};

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
