/**
 * Starts app processes (app-server.ts under tsx) and keeps a registry of every child, so a suite can
 * kill all of them in afterAll/afterEach even when a test failed half-way.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AppConfig } from './app-server';
import type { MiddlewareAppConfig } from './middleware-app';

export interface AppEvent {
  type: string;
  pid: number;
  key?: string;
  [field: string]: unknown;
}

export interface AppProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly child: ChildProcess;
  /** True once the process exited (killed or crashed). */
  readonly exited: boolean;
  readonly exitCode: number | null;
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
}

const live = new Set<ChildProcess>();
const tsx = pathToFileURL(createRequire(__filename).resolve('tsx')).href;
const root = join(__dirname, '..', '..');

/** A fresh events file in its own temp directory; `removeEventsDir` cleans it up. */
export function eventsFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'idem-rel-events-')), 'events.jsonl');
}

export function removeEventsDir(file: string): void {
  rmSync(join(file, '..'), { recursive: true, force: true });
}

export function readEvents(file: string): AppEvent[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as AppEvent);
}

export function startApp(config: AppConfig, timeoutMs = 20_000): Promise<AppProcess> {
  return forkApp('app-server.ts', { IDEM_APP: JSON.stringify(config) }, timeoutMs, () =>
    JSON.stringify(readEvents(config.events).filter((e) => e.type === 'startup-failed')),
  );
}

/** One middleware's app (middleware-app.ts) under Node's default error handling. */
export function startMiddlewareApp(config: MiddlewareAppConfig, timeoutMs = 30_000): Promise<AppProcess> {
  return forkApp('middleware-app.ts', { IDEM_MIDDLEWARE_APP: JSON.stringify(config) }, timeoutMs, () => '');
}

/** Resolves once the process has exited (at once if it already has), with its exit code. */
export function exitOf(app: AppProcess): Promise<number | null> {
  if (app.exited) return Promise.resolve(app.exitCode);
  return new Promise((resolve) => app.child.once('exit', (code) => resolve(code)));
}

async function forkApp(script: string, env: Record<string, string>, timeoutMs: number, startupFailure: () => string): Promise<AppProcess> {
  const child = fork(join(__dirname, script), [], {
    execArgv: ['--import', tsx],
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // tsx reads this package's tsconfig (decorators for the NestJS app), whatever the working directory.
    env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.apps.json'), ...env },
  });
  live.add(child);
  let exitCode: number | null = null;
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = true;
      exitCode = code;
      live.delete(child);
      resolve();
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('app process did not start listening in time')), timeoutMs);
    child.on('message', (message: { type?: string; port?: number }) => {
      if (message.type === 'listening' && typeof message.port === 'number') {
        clearTimeout(timer);
        resolve(message.port);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`app process exited with ${code} before listening: ${startupFailure()}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    child,
    get exited() {
      return exited;
    },
    get exitCode() {
      return exitCode;
    },
    signal: (signal) => {
      if (!exited) child.kill(signal);
    },
    kill: async () => {
      if (exited) return;
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exitedPromise;
    },
  };
}

/** Kills every app process still running (a frozen one is resumed first so the kill lands). */
export async function killAllApps(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGCONT');
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** Polls until `probe` returns a value, or throws after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** POST /payments with a key (and optional tenant), as a payment client would. */
export function pay(
  app: { url: string },
  key: string,
  options: { delayMs?: number; tenant?: string; amount?: number; headers?: Record<string, string> } = {},
): Promise<Response> {
  return fetch(`${app.url}/payments`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': key,
      ...(options.tenant ? { 'x-tenant': options.tenant } : {}),
      ...(options.delayMs ? { 'x-delay-ms': String(options.delayMs) } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ amount: options.amount ?? 100 }),
  });
}

export function executionsOf(file: string, key?: string): AppEvent[] {
  return readEvents(file).filter((event) => event.type === 'exec' && (key === undefined || event.key === key));
}
