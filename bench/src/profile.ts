/**
 * `pnpm --filter @idem/bench profile`: the Express + @idem/memory server under `node --cpu-prof`,
 * loaded with unique keys (the first-execution path, the heaviest), then the profile's self time
 * aggregated per function. Writes results/profile.md (top frames of idem's own code, and overall).
 * Options: --seconds N (default 8), --mode first|replay, --server <file in servers/> (compare with express-bare.ts).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { argument } from './argument';
import { type CallFrame, frameName } from './frame-name';
import { runCell } from './load';
import { startServer } from './server-process';

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

export function selfTimes(profile: CpuProfile): { frame: string; url: string; ms: number }[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, { frame: string; url: string; ms: number }>();
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    if (!node) return;
    const { frame, where } = frameName(node.callFrame);
    const entry = totals.get(frame) ?? { frame, url: where, ms: 0 };
    entry.ms += (profile.timeDeltas[index] ?? 0) / 1000;
    totals.set(frame, entry);
  });
  return [...totals.values()].sort((a, b) => b.ms - a.ms);
}

async function main() {
  const seconds = Number(argument('seconds', '8'));
  const mode = argument('mode', 'first') === 'replay' ? 'replay' : 'first';
  const dir = join(RESULTS, 'profile');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const serverFile = argument('server', 'express-idem-memory.ts');
  const server = await startServer(serverFile, { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  let requestsPerSecond = 0;
  try {
    await runCell(server.url, mode, 1, 10, 'profile-warm');
    requestsPerSecond = (await runCell(server.url, mode, seconds, 10, 'profile')).requestsPerSecond;
  } finally {
    await server.stop();
  }
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error('no .cpuprofile written');
  const frames = selfTimes(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
  const total = frames.reduce((sum, frame) => sum + frame.ms, 0);
  const ours = frames.filter((frame) => frame.url.startsWith('packages/'));
  const oursTotal = ours.reduce((sum, frame) => sum + frame.ms, 0);
  const share = (ms: number) => `${((ms / total) * 100).toFixed(1)} %`;
  const table = (list: typeof frames) => [
    '| self time | share | frame |',
    '|---:|---:|---|',
    ...list.map((frame) => `| ${frame.ms.toFixed(0)} ms | ${share(frame.ms)} | \`${frame.frame}\` |`),
  ];
  const byPackage = new Map<string, number>();
  for (const frame of ours) {
    const pkg = frame.url.split('/').slice(0, 2).join('/');
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + frame.ms);
  }
  const markdown = [
    `# CPU profile: ${serverFile}, ${mode} requests`,
    '',
    `${seconds} s of load at ${Math.round(requestsPerSecond)} req/s; ${total.toFixed(0)} ms of samples in the server process.`,
    `idem's own code (packages/*): ${oursTotal.toFixed(0)} ms self time = ${share(oursTotal)} of the process`,
    `(${[...byPackage].map(([pkg, ms]) => `${pkg} ${share(ms)}`).join(', ')}).`,
    '',
    '## Top self-time frames in idem code',
    '',
    ...table(ours.slice(0, 20)),
    '',
    '## Top self-time frames overall',
    '',
    ...table(frames.slice(0, 25)),
    '',
  ].join('\n');
  writeFileSync(join(RESULTS, `profile-${serverFile.replace(/\.ts$/, '')}-${mode}.md`), markdown);
  process.stdout.write(markdown);
}

await main();
