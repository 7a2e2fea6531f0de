/**
 * Database faults for the connection-cut proofs: an admin connection of the test process that cuts the
 * app's own server connections, and only those (never another run's or the admin's own), on demand.
 */
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { serviceUrls } from '@idem/testkit';
import type { AppProcess } from './apps';
import type { ProcessBackend } from './backends';

export interface ConnectionCutter {
  /** Cuts the app's connections now; returns how many it cut. */
  inject(app: AppProcess): Promise<number>;
  close(): Promise<void>;
}

/** Terminates every PostgreSQL backend of the app (its pool's `application_name`). */
export async function terminatePostgresBackends(backend: ProcessBackend): Promise<ConnectionCutter> {
  const admin = new Client({ connectionString: serviceUrls.postgres });
  await admin.connect();
  return {
    inject: async () =>
      (
        await admin.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
          [backend.config.applicationName],
        )
      ).rows.length,
    close: () => admin.end(),
  };
}

/** KILLs the app's MariaDB/MySQL connections: the thread ids its pool opened, still present on the server. */
export async function killMysqlThreads(): Promise<ConnectionCutter> {
  const admin = await createConnection({ uri: serviceUrls.mysql });
  return {
    inject: async (app) => {
      const stats = (await (await fetch(`${app.url}/stats`)).json()) as { store: { mysqlThreads: number[] } };
      const ids = stats.store.mysqlThreads.map(Number).filter(Number.isSafeInteger);
      if (ids.length === 0) return 0;
      const [rows] = await admin.query('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE ID IN (?)', [ids]);
      let killed = 0;
      for (const { id } of rows as { id: number }[]) {
        await admin.query(`KILL ${Number(id)}`).catch(() => {});
        killed++;
      }
      return killed;
    },
    close: () => admin.end(),
  };
}
