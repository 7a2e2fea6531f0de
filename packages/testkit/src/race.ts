/**
 * The multi-process race: N child processes, each with its own event loop and its own store instance
 * (from a factory module), release their duplicates at the same instant on the same keys. Each child
 * runs core's `run(key, fn)` in wait mode and reports which keys its handler actually executed; the
 * parent sums them. Exactly-once means every key executed exactly once across all processes.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

export interface RaceOptions {
  /** Absolute path of a module exporting `createStore({ prefix })` (sync or async; TS runs under tsx). */
  factoryModule: string;
  processes?: number;
  keys?: number;
  /** Concurrent calls per key in each process. */
  duplicates?: number;
  /** How long the handler works, ms: long enough for duplicates to overlap it. */
  handlerMs?: number;
  /** Node flags for the children; default loads tsx when the factory is TypeScript. */
  execArgv?: string[];
  /** Working directory of the children (tsx reads tsconfig paths from there). */
  cwd?: string;
  /** The racers' lease, ms. Default 10 s: raise it where a loaded machine can stall a process longer. */
  lockTtl?: number;
  /** How long a duplicate waits for the first result, ms. Default 30 s. */
  waitTimeout?: number;
  /** Gives up after this long, ms. Default 60 s. */
  timeoutMs?: number;
}

export interface RaceResult {
  executionsPerKey: Record<string, number>;
  /** Sum over keys of (executions - 1) where a key ran more than once: must be 0. */
  duplicateExecutions: number;
  keysNeverExecuted: number;
  /** Calls answered with the stored result instead of running the handler. */
  replays: number;
  errors: string[];
}

interface ChildReport {
  executed: string[];
  replays: number;
  errors: string[];
}

export async function runProcessRace(options: RaceOptions): Promise<RaceResult> {
  const { processes = 4, keys = 20, duplicates = 50, handlerMs = 25, lockTtl = 10_000, waitTimeout = 30_000, timeoutMs = 60_000 } = options;
  const runId = randomUUID().slice(0, 8);
  const keyList = Array.from({ length: keys }, (_, i) => `race-${runId}-${i}`);
  const isTs = /\.[cm]?tsx?$/.test(options.factoryModule);
  const tsx = ['--import', pathToFileURL(createRequire(__filename).resolve('tsx')).href];
  const execArgv = options.execArgv ?? (isTs ? tsx : []);
  const childScript = [join(__dirname, 'race-child.ts'), join(__dirname, 'race-child.js'), join(__dirname, 'race-child.cjs')].find(
    existsSync,
  );
  if (!childScript) throw new Error('race-child script not found next to the testkit');
  const childExecArgv = childScript.endsWith('.ts') && !isTs ? [...tsx, ...execArgv] : execArgv;

  const children = Array.from({ length: processes }, () =>
    fork(childScript, [], {
      execArgv: childExecArgv,
      cwd: options.cwd,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: {
        ...process.env,
        IDEM_RACE_CONFIG: JSON.stringify({
          factoryModule: options.factoryModule,
          prefix: `idem-race-${runId}:`,
          keys: keyList,
          duplicates,
          handlerMs,
          lockTtl,
          waitTimeout,
        }),
      },
    }),
  );
  const timer = setTimeout(() => {
    for (const child of children) child.kill('SIGKILL');
  }, timeoutMs);
  try {
    // Wait until every child has built its store, then start them all at once.
    await Promise.all(children.map((child) => message(child, 'ready')));
    const reports = Promise.all(children.map((child) => message<ChildReport>(child, 'report')));
    for (const child of children) child.send({ type: 'go' });
    const results = await reports;
    const executionsPerKey = Object.fromEntries(keyList.map((key) => [key, 0]));
    const errors: string[] = [];
    let replays = 0;
    for (const report of results) {
      for (const key of report.executed) executionsPerKey[key] = (executionsPerKey[key] ?? 0) + 1;
      replays += report.replays;
      errors.push(...report.errors);
    }
    const counts = Object.values(executionsPerKey);
    return {
      executionsPerKey,
      duplicateExecutions: counts.reduce((sum, n) => sum + Math.max(0, n - 1), 0),
      keysNeverExecuted: counts.filter((n) => n === 0).length,
      replays,
      errors,
    };
  } finally {
    clearTimeout(timer);
    for (const child of children) if (child.connected) child.disconnect();
  }
}

function message<T = unknown>(child: ReturnType<typeof fork>, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: { type: string; payload?: T; error?: string }) => {
      if (msg.type === 'error') return reject(new Error(`race child failed: ${msg.error}`));
      if (msg.type !== type) return;
      child.off('message', onMessage);
      resolve(msg.payload as T);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`race child exited with ${code} before '${type}'`)));
  });
}
