/**
 * PostgreSQL faults for driver-level proofs. `terminateAfterAnswerUnread` ends a backend right after
 * it answered a statement while this process reads none of its sockets: another process terminates
 * it and this one waits synchronously. The answer and the server's FATAL "terminating connection" then
 * reach the client in one read, as they do when a loaded process reads its sockets late, and are
 * handled in the same turn of the event loop.
 */
import { spawnSync } from 'node:child_process';

// Finds the backend once it is idle after `marker` (its last statement), terminates it, waits until it is gone.
const TERMINATOR = `
const { Client } = require(process.env.PG_MODULE);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
(async () => {
  const admin = new Client({ connectionString: process.env.PG_URL });
  await admin.connect();
  const find = "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle' AND query = $2";
  let pid;
  for (let i = 0; i < 500 && pid === undefined; i++) {
    pid = (await admin.query(find, [process.env.APP_NAME, process.env.MARKER])).rows[0]?.pid;
    if (pid === undefined) await sleep(10);
  }
  if (pid === undefined) throw new Error('no backend of ' + process.env.APP_NAME + ' answered the marker');
  await admin.query('SELECT pg_terminate_backend($1)', [pid]);
  while ((await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rows.length > 0) await sleep(10);
  await admin.end();
})().catch((error) => { console.error(error); process.exit(1); });
`;

export interface TerminateAfterAnswerOptions {
  /** PostgreSQL URL the terminating process connects to. */
  url: string;
  /** The `application_name` of the pool whose backend answers `marker`. */
  applicationName: string;
  /** The exact text of the statement the backend must have answered (unique per test). */
  marker: string;
  /** Where the `pg` module is (`require.resolve('pg')`): the terminating process loads the caller's. */
  pgModule: string;
}

/** Blocks until the backend that answered `marker` is gone; throws if it never answered it. */
export function terminateAfterAnswerUnread(options: TerminateAfterAnswerOptions): void {
  const run = spawnSync(process.execPath, ['-e', TERMINATOR], {
    env: { ...process.env, PG_MODULE: options.pgModule, PG_URL: options.url, APP_NAME: options.applicationName, MARKER: options.marker },
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (run.status !== 0) throw new Error(`terminating the backend failed: ${run.stderr || run.error}`);
}
