/** Starts one variant's server in its own process on loopback and stops it again. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SERVERS = fileURLToPath(new URL('./servers/', import.meta.url));
const BENCH_ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface RunningServer {
  url: string;
  process: ChildProcess;
  stats(): Promise<{ executions: number; statements: number; cpuUs: number }>;
  stop(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
}

export async function startServer(file: string, { env = {}, nodeFlags = [] }: StartOptions = {}): Promise<RunningServer> {
  // `node --import tsx`: TypeScript straight from the sources (tsconfig `paths` map @idem/* to
  // packages/*/src), no build step, and no tsx wrapper process between us and the server.
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', SERVERS + file], {
    cwd: BENCH_ROOT,
    env: { ...process.env, ...env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start in 30 s\n${stderr}`)), 30_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const message = JSON.parse(line) as { ready?: number };
        if (message.ready) {
          clearTimeout(timer);
          resolve(message.ready);
        }
      } catch {
        // Not ours: a library logging to stdout.
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${code} before listening\n${stderr}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    process: child,
    async stats() {
      const response = await fetch(`${url}/__stats`);
      return (await response.json()) as { executions: number; statements: number; cpuUs: number };
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
