/**
 * Starts an app inside Bun, Deno or workerd as a child process and waits for the address it listens on
 * (each prints `listening <url>`). workerd runs through miniflare, in a small Node launcher process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { bunBinary, denoBinary } from './binaries';

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

export type Runtime = 'bun' | 'deno' | 'workerd';

/** Extra miniflare options for workerd (bindings: D1 databases, Durable Objects, ...), as JSON. */
export interface WorkerdOptions {
  compatibilityDate?: string;
  compatibilityFlags?: string[];
  [option: string]: unknown;
}

export function startApp(runtime: Runtime, bundle: string, workerd: WorkerdOptions = {}): Promise<RunningApp> {
  if (runtime === 'bun') return spawnListening(bunBinary(), ['run', bundle]);
  // Deno: network to loopback only (the suite and the Redis it is given), env for ioredis' defaults.
  if (runtime === 'deno')
    return spawnListening(denoBinary(), ['run', '--allow-net=127.0.0.1', '--allow-env', '--allow-read', '--allow-sys', bundle]);
  return spawnListening(process.execPath, [join(__dirname, 'workerd-launcher.mjs'), bundle, JSON.stringify(workerd)]);
}

function spawnListening(command: string, args: string[]): Promise<RunningApp> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('did not start listening within 60 s')), 60_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')}: ${error.message}\n${output}`));
    };
    child.on('error', fail);
    child.on('exit', (code) => fail(new Error(`exited with ${code} before listening`)));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (http:\/\/\S+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ url: match[1]!.replace(/\/$/, ''), close: () => stop(child) });
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.stdin!.end();
    child.kill('SIGTERM');
  });
}
