/**
 * `pnpm --filter @idem/bench alloc-profile`: bytes allocated per request, by the function that
 * allocated them, in a bench server under load (V8's sampling heap profiler, collected objects
 * included: see alloc-sampler.ts). GC time follows allocation, so this says where a variant's extra GC
 * comes from. Options: --server <file in servers/> (default express-idem-memory.ts), --mode first|replay,
 * --seconds N (default 5). Writes results/alloc-<server>-<mode>.md.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { argument } from './argument';
import { type CallFrame, frameName } from './frame-name';
import { runCell } from './load';
import { startServer } from './server-process';

interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

function bytesByFrame(root: HeapNode): Map<string, number> {
  const totals = new Map<string, number>();
  const walk = (node: HeapNode) => {
    const { frame } = frameName(node.callFrame);
    totals.set(frame, (totals.get(frame) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child);
  };
  walk(root);
  return totals;
}

const serverFile = argument('server', 'express-idem-memory.ts');
const mode = argument('mode', 'first') === 'replay' ? 'replay' : 'first';
const seconds = Number(argument('seconds', '5'));
const dir = mkdtempSync(join(tmpdir(), 'idem-alloc-'));
const file = join(dir, 'profile.json');
const sampler = fileURLToPath(new URL('./alloc-sampler.ts', import.meta.url));
const server = await startServer(serverFile, { env: { IDEM_ALLOC_PROFILE: file }, nodeFlags: ['--import', 'tsx', '--import', sampler] });
let requests = 0;
try {
  requests += (await runCell(server.url, mode, 1, 10, 'alloc-warm')).requests;
  requests += (await runCell(server.url, mode, seconds, 10, 'alloc')).requests;
} finally {
  await server.stop();
}
const frames = [...bytesByFrame(JSON.parse(readFileSync(file, 'utf8')).head as HeapNode)].sort((a, b) => b[1] - a[1]);
rmSync(dir, { recursive: true, force: true });
const total = frames.reduce((sum, [, bytes]) => sum + bytes, 0);
const perRequest = (bytes: number) => Math.round(bytes / requests).toLocaleString('en-US');
const table = (list: [string, number][]) => [
  '| bytes per request | frame |',
  '|---:|---|',
  ...list.map(([frame, bytes]) => `| ${perRequest(bytes)} | \`${frame}\` |`),
];
const ours = frames.filter(([frame]) => frame.includes(' packages/'));
const markdown = [
  `# Allocation profile: ${serverFile}, ${mode} requests`,
  '',
  `${requests.toLocaleString('en-US')} requests (1 s warm-up and ${seconds} s); ${perRequest(total)} bytes allocated per request in the server process,`,
  `${perRequest(ours.reduce((sum, [, bytes]) => sum + bytes, 0))} of them by idem's own code (packages/*). Sampled every 1 KiB: small numbers are noise.`,
  '',
  "## Top frames in idem's code",
  '',
  ...table(ours.slice(0, 15)),
  '',
  '## Top frames overall',
  '',
  ...table(frames.slice(0, 25)),
  '',
].join('\n');
writeFileSync(join(RESULTS, `alloc-${serverFile.replace(/\.ts$/, '')}-${mode}.md`), markdown);
process.stdout.write(markdown);
