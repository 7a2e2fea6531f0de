/**
 * Whether Redis answers PING, checked synchronously (in a child process) so a test file can decide
 * which suites to register: suite registration in jest cannot wait for a promise.
 */
import { spawnSync } from 'node:child_process';

const probe = `
const { connect } = require('node:net');
const url = new URL(process.argv[1]);
const socket = connect(Number(url.port || 6379), url.hostname);
socket.setTimeout(2000, () => process.exit(1));
socket.on('error', () => process.exit(1));
socket.on('connect', () => socket.write('PING\\r\\n'));
socket.on('data', (data) => process.exit(String(data).startsWith('+PONG') ? 0 : 1));
`;

export function redisReachableSync(url: string): boolean {
  return spawnSync(process.execPath, ['-e', probe, url], { timeout: 5_000 }).status === 0;
}
