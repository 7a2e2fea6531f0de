/** Turns a run into the markdown table (results/latest.md) and the ratio bar chart (results/latest.svg). */
import type { BackendCost } from './backend-cost';
import type { CorrectnessResult } from './correctness';
import type { FunctionResult } from './function-api';
import type { CellResult } from './load';
import type { MemoryResult } from './memory-check';
import type { BenchSettings } from './settings';
import type { Mode, Variant } from './variants';

export interface RunReport {
  smoke: boolean;
  settings: BenchSettings;
  date: string;
  machine: string;
  seconds: number;
  bare: Variant[];
  variants: Variant[];
  skipped: Variant[];
  failures: Map<string, string>;
  /** `${variant}/${mode}` → per round, the cells measured in it. */
  cells: Map<string, CellResult[][]>;
  correctness: Map<string, CorrectnessResult>;
  costs: Map<string, BackendCost>;
  memory: MemoryResult[];
  functions: FunctionResult[];
}

interface Spread {
  mean: number;
  min: number;
  max: number;
}

export interface Row {
  variant: Variant;
  mode: Mode;
  rps: Spread;
  ratio: Spread;
  p50: number;
  p99: number;
  flagged: number;
  /** Means over the cells, µs per request (NaN where not measured). */
  serverCpuUs: number;
  /** Mean over the cells of (this cell's CPU µs/req − the adjacent bare cells'). */
  cpuOverBareUs: number;
  redisCpuUs: number;
  redisCommandUs: number;
}

const spread = (values: number[]): Spread => ({
  mean: values.reduce((sum, value) => sum + value, 0) / values.length,
  min: Math.min(...values),
  max: Math.max(...values),
});

/** One row per variant and mode; each cell's ratio is to the bare cells of its own round (drift cancels). */
export function rows(report: RunReport): Row[] {
  const result: Row[] = [];
  for (const variant of [...report.bare, ...report.variants]) {
    const bare = report.bare.find((candidate) => candidate.framework === variant.framework);
    const bareRounds = bare ? report.cells.get(`${bare.id}/bare`) : undefined;
    for (const mode of variant.store === 'none' ? (['bare'] as const) : (['first', 'replay'] as const)) {
      const rounds = report.cells.get(`${variant.id}/${mode}`);
      if (!rounds) continue;
      const rps: number[] = [];
      const ratios: number[] = [];
      const all: CellResult[] = [];
      rounds.forEach((cells, round) => {
        const roundReference = bareRounds?.[round] ? spread(bareRounds[round]!.map((cell) => cell.requestsPerSecond)).mean : NaN;
        for (const cell of cells ?? []) {
          all.push(cell);
          rps.push(cell.requestsPerSecond);
          // The bare cells measured right around this one; the round's mean for the bare rows themselves.
          ratios.push(cell.requestsPerSecond / (cell.bareRequestsPerSecond ?? roundReference));
        }
      });
      if (!all.length) continue;
      result.push({
        variant,
        mode,
        rps: spread(rps),
        ratio: spread(ratios),
        p50: spread(all.map((cell) => cell.p50)).mean,
        p99: spread(all.map((cell) => cell.p99)).mean,
        flagged: all.reduce((sum, cell) => sum + cell.non2xx + cell.errors, 0),
        serverCpuUs: meanOf(all.map((cell) => cell.serverCpuUs)),
        cpuOverBareUs: meanOf(all.map((cell) => (cell.bareCpuUs === undefined ? undefined : (cell.serverCpuUs ?? NaN) - cell.bareCpuUs))),
        redisCpuUs: meanOf(all.map((cell) => cell.redisCpuUs)),
        redisCommandUs: meanOf(all.map((cell) => cell.redisCommandUs)),
      });
    }
  }
  return result;
}

function meanOf(values: (number | undefined)[]): number {
  const known = values.filter((value): value is number => value !== undefined && Number.isFinite(value));
  return known.length ? spread(known).mean : NaN;
}

export function exactlyOnce(result: CorrectnessResult | undefined): boolean {
  return Boolean(result && result.executionsPerBurst.every((count) => count === 1));
}

/** Correct: exactly once, byte-exact replay, and a retry after a 500 or a throw runs the handler again. */
export function correct(result: CorrectnessResult | undefined): boolean {
  return Boolean(result && result.failures.length === 0);
}

function failsAt(result: CorrectnessResult | undefined): string {
  if (!result) return '—';
  return result.failures.length ? `✗ ${result.failures.join('; ')}` : 'nothing found ✓';
}

const int = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—');
const x = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '—');
const us = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 1 : 0) : '');
const ms = (value: number) => (Number.isFinite(value) ? String(Math.round(value * 10) / 10) : '—');
const range = (s: Spread, format: (value: number) => string, repeats: number) =>
  repeats > 1 || s.min !== s.max ? `${format(s.mean)} (${format(s.min)}–${format(s.max)})` : format(s.mean);

function name(variant: Variant): string {
  const store = variant.store === 'none' ? '' : ` + ${variant.store}`;
  const lib = variant.ours ? `**${variant.library}**` : variant.library;
  return variant.store === 'none' ? `${variant.framework} (bare)` : `${lib}${store}${variant.note ? ` ¹` : ''}`;
}

function burstText(result: CorrectnessResult | undefined): string {
  if (!result) return '—';
  const counts = result.executionsPerBurst;
  if (exactlyOnce(result)) return `1 in ${counts.length}/${counts.length} bursts ✓`;
  return `${counts.join(', ')} ✗`;
}

function memoryText(variant: Variant, memory: MemoryResult[]): string {
  const result = memory.find((entry) => entry.store === variant.memoryCheck);
  if (!result) return '';
  const bounded = result.bound !== undefined && result.held <= result.bound;
  return `${result.held.toLocaleString('en-US')} held after ${result.keys.toLocaleString('en-US')} keys, heap ${result.heapAfterMiB} MiB ${bounded ? '✓ bounded' : '✗ unbounded'}`;
}

function costText(variant: Variant, mode: Mode, costs: Map<string, BackendCost>): string {
  const cost = costs.get(variant.id);
  if (!cost || mode === 'bare') return '';
  const value = mode === 'first' ? cost.first : cost.replay;
  const scripts = mode === 'first' ? cost.firstInScripts : cost.replayInScripts;
  const unit = variant.store === 'redis' ? 'cmd' : 'stmt';
  const show = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));
  return `${show(value)} ${unit}${scripts ? ` (+${show(scripts)} in Lua)` : ''}`;
}

export function renderMarkdown(report: RunReport): string {
  const { settings } = report;
  const table = rows(report);
  const lines: string[] = [];
  lines.push(`# idem benchmark${report.smoke ? ' (smoke run: tiny counts, numbers are meaningless)' : ''}`);
  lines.push('');
  lines.push(
    `${report.date} · ${report.machine} · ${settings.connections} connections · ${settings.warmupSeconds} s warm-up, ` +
      `${settings.cellSeconds} s per cell × ${settings.repeats} rounds · whole run ${report.seconds} s`,
  );
  lines.push('');
  lines.push('Absolute req/s on a shared machine are noise: the **ratio to the bare framework of the same round** is the result.');
  lines.push('Spread (min–max) is over the rounds. *first* = every request a new key (the handler runs);');
  lines.push('*replay* = one key, every request answered from the store.');
  lines.push('');
  lines.push(
    '| variant | mode | req/s | × bare | server CPU µs/req (+ over bare) | Redis CPU µs/req | Redis cmd µs/req | p50 ms | p99 ms | executions per burst of 50 duplicates | fails at | backend per request | memory (unique keys) |',
  );
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---|');
  for (const row of table) {
    const result = report.correctness.get(row.variant.id);
    const first = row.mode !== 'replay';
    lines.push(
      `| ${name(row.variant)} | ${row.mode}${row.flagged ? ` ⚠ ${row.flagged} non-2xx/errors` : ''} | ${range(row.rps, int, settings.repeats)} | ${range(row.ratio, x, settings.repeats)} | ` +
        `${us(row.serverCpuUs)}${Number.isFinite(row.cpuOverBareUs) ? ` (${row.cpuOverBareUs >= 0 ? '+' : '−'}${us(Math.abs(row.cpuOverBareUs))})` : ''} | ${us(row.redisCpuUs)} | ${us(row.redisCommandUs)} | ${ms(row.p50)} | ${ms(row.p99)} | ` +
        `${first ? burstText(result) : ''} | ${first ? failsAt(result) : ''} | ${costText(row.variant, row.mode, report.costs)} | ${first ? memoryText(row.variant, report.memory) : ''} |`,
    );
  }
  const notes = [
    ...new Set([...report.variants].filter((variant) => variant.note).map((variant) => `${variant.library}: ${variant.note}`)),
  ];
  if (notes.length) lines.push('', `¹ ${notes.join('; ')}.`);
  if (report.failures.size) {
    lines.push('', '**Failed variants**:');
    for (const [id, reason] of report.failures) lines.push(`- ${id}: ${reason}`);
  }
  if (report.skipped.length) lines.push('', `Skipped (service not reachable): ${report.skipped.map((variant) => variant.id).join(', ')}.`);

  lines.push('', '## Targets', '', ...targets(report, table).map((line) => `- ${line}`));

  lines.push('', '## Memory: unique keys through each memory store', '');
  lines.push('| store | keys pushed | seconds | records held | bound | RSS before → after (MiB) | live heap after GC (MiB) |');
  lines.push('|---|---:|---:|---:|---:|---|---:|');
  for (const entry of report.memory) {
    lines.push(
      `| ${entry.store} | ${entry.keys.toLocaleString('en-US')}${entry.keys < settings.memoryKeys ? ` (of ${settings.memoryKeys.toLocaleString('en-US')}: out of time)` : ''} | ${entry.seconds} | ${entry.held.toLocaleString('en-US')} | ${entry.bound?.toLocaleString('en-US') ?? 'none'} | ${entry.rssBeforeMiB} → ${entry.rssAfterMiB} | ${entry.heapAfterMiB} |`,
    );
  }

  lines.push('', '## Function API (one process, no HTTP)', '');
  const powertools = report.functions.find((entry) => entry.id === 'powertools-redis');
  lines.push(
    '| function | store | first calls/s | replay calls/s | × Powertools (first / replay) | executions per burst of 50 duplicates |',
  );
  lines.push('|---|---|---:|---:|---:|---|');
  for (const entry of report.functions) {
    const versus =
      powertools && entry.store.startsWith('redis')
        ? `${x(entry.firstPerSecond / powertools.firstPerSecond)} / ${x(entry.replayPerSecond / powertools.replayPerSecond)}`
        : '';
    const once = entry.executionsPerBurst.every((count) => count === 1);
    lines.push(
      `| ${entry.library} | ${entry.store} | ${int(entry.firstPerSecond)} | ${int(entry.replayPerSecond)} | ${versus} | ${once ? `1 in ${entry.executionsPerBurst.length}/${entry.executionsPerBurst.length} bursts ✓` : `${entry.executionsPerBurst.join(', ')} ✗`} |`,
    );
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}

/** The targets of the hot-path work, each checked against this run's numbers. */
function targets(report: RunReport, table: Row[]): string[] {
  const find = (id: string, mode: Mode) => table.find((row) => row.variant.id === id && row.mode === mode);
  const out: string[] = [];
  const check = (label: string, value: number, goal: number, format: (n: number) => string, atMost = false) => {
    if (!Number.isFinite(value)) return;
    const met = atMost ? value <= goal : value >= goal;
    out.push(`${label}: ${format(value)} (target ${atMost ? '≤' : '≥'} ${format(goal)}) ${met ? '✓' : '✗'}`);
  };
  const goals: [string, Mode, number][] = [
    ['idem-redis', 'first', 0.7],
    ['idem-redis', 'replay', 0.9],
    ['idem-memory', 'first', 0.8],
    ['idem-memory', 'replay', 0.98],
    ['idem-postgres', 'first', 0.4],
    ['idem-postgres', 'replay', 0.6],
    ['idem-sqlite', 'first', 0.55],
    ['idem-sqlite', 'replay', 0.8],
  ];
  for (const [id, mode, goal] of goals) {
    const row = find(id, mode);
    if (row) check(`${id} ${mode} × bare`, row.ratio.mean, goal, x);
  }
  // The same Redis store behind the optional local cache of completed records: a hot replay with no
  // round trip. Off by default, so it carries no target; it shows what the option buys.
  const cached = find('idem-redis-cached', 'replay');
  if (cached) out.push(`idem-redis-cached replay × bare (withLocalCache, off by default): ${x(cached.ratio.mean)}`);
  // Against @node-idempotency (atomic SET NX, exactly once), same store and mode, same run.
  const peerGoals: [string, string, Mode, number][] = [
    ['idem-redis', 'node-idempotency-redis', 'first', 0.95],
    ['idem-redis', 'node-idempotency-redis', 'replay', 1],
    ['idem-memory', 'node-idempotency-memory', 'first', 1],
  ];
  for (const [id, peerId, mode, goal] of peerGoals) {
    const ours = find(id, mode);
    const peer = find(peerId, mode);
    if (ours && peer) check(`${id} ${mode} ÷ ${peer.variant.library} ${mode}`, ours.ratio.mean / peer.ratio.mean, goal, x);
  }
  // Transactional vs plain mode, the same ledger write, same run: what one transaction around it costs.
  for (const mode of ['first', 'replay'] as const) {
    const plain = find('idem-postgres-ledger', mode);
    const transactional = find('idem-postgres-tx', mode);
    if (plain && transactional)
      out.push(
        `idem-postgres-tx ${mode} ÷ idem-postgres-ledger ${mode} (transactional ÷ plain, same ledger row): ${x(transactional.ratio.mean / plain.ratio.mean)}`,
      );
  }
  // Against the floor of the same store (its two round trips alone): how much of the store's limit idem
  // reaches, and the best ratio to bare any layer with idem's guarantees could reach on it.
  for (const store of ['memory', 'redis', 'postgres', 'mysql', 'sqlite'] as const) {
    for (const mode of ['first', 'replay'] as const) {
      const ours = find(`idem-${store}`, mode);
      const floor = find(`floor-${store}`, mode);
      if (ours && floor)
        out.push(
          `idem-${store} ${mode} ÷ floor-${store} ${mode}: ${x(ours.ratio.mean / floor.ratio.mean)} (the floor itself: ${x(floor.ratio.mean)} bare)`,
        );
    }
  }
  const cost = report.costs.get('idem-redis');
  if (cost) {
    check('idem-redis commands per replay', cost.replay, 1, String, true);
    check('idem-redis commands per first execution', cost.first, 2, String, true);
  }
  const redisFirst = find('idem-redis', 'first');
  if (redisFirst) check('idem-redis Redis command time per first execution, µs', redisFirst.redisCommandUs, 6, (n) => n.toFixed(1), true);
  for (const ours of table.filter((row) => row.variant.ours && row.mode !== 'bare')) {
    const peers = table.filter(
      (row) =>
        !row.variant.ours &&
        !row.variant.floor &&
        row.variant.store === ours.variant.store &&
        row.mode === ours.mode &&
        row.variant.framework === ours.variant.framework,
    );
    if (!peers.length) continue;
    const text = peers.map(
      (row) =>
        `${row.variant.library} ${x(row.ratio.mean)}${correct(report.correctness.get(row.variant.id)) ? '' : ' (fails, see the table)'}`,
    );
    out.push(`${ours.variant.id} ${ours.mode} ${x(ours.ratio.mean)} beside ${text.join('; ')}`);
  }
  return out;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A hand-written horizontal bar chart of the ratios, with min–max whiskers and a line at 1.0×. */
export function renderSvg(report: RunReport): string {
  const table = rows(report);
  const rowHeight = 24;
  const left = 330;
  const width = 960;
  const top = 48;
  const plot = width - left - 190;
  const height = top + table.length * rowHeight + 40;
  const maxRatio = Math.max(1.2, ...table.map((row) => row.ratio.max).filter(Number.isFinite)) * 1.05;
  const at = (ratio: number) => left + (Math.min(ratio, maxRatio) / maxRatio) * plot;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  parts.push(
    `<text x="16" y="22" font-size="15" font-weight="600" fill="#111827">Throughput as a ratio to the bare framework (same round; higher is better)</text>`,
  );
  parts.push(
    `<text x="16" y="38" fill="#6b7280">${escapeXml(`${report.smoke ? 'SMOKE RUN · ' : ''}${report.machine} · ${report.date.slice(0, 10)} · bars: mean, whiskers: min–max over ${report.settings.repeats} rounds`)}</text>`,
  );
  for (const tick of [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2].filter((value) => value <= maxRatio)) {
    const px = at(tick).toFixed(1);
    parts.push(
      `<line x1="${px}" y1="${top - 4}" x2="${px}" y2="${height - 30}" stroke="${tick === 1 ? '#111827' : '#e5e7eb'}" stroke-width="${tick === 1 ? 1.5 : 1}"${tick === 1 ? ' stroke-dasharray="4 3"' : ''}/>`,
    );
    parts.push(`<text x="${px}" y="${height - 14}" text-anchor="middle" fill="#6b7280">${tick.toFixed(2)}×</text>`);
  }
  table.forEach((row, index) => {
    const y = top + index * rowHeight;
    const result = report.correctness.get(row.variant.id);
    // A floor is not a layer (nothing to check): its own colour, never the red of a peer that fails.
    const wrong = row.variant.store !== 'none' && !row.variant.ours && !row.variant.floor && !correct(result);
    const color =
      row.variant.store === 'none'
        ? '#9ca3af'
        : row.variant.ours
          ? '#2563eb'
          : row.variant.floor
            ? '#94a3b8'
            : wrong
              ? '#dc2626'
              : '#f59e0b';
    const label = `${row.variant.store === 'none' ? `${row.variant.framework} (bare)` : `${row.variant.library} + ${row.variant.store}`} · ${row.mode}`;
    parts.push(
      `<text x="${left - 8}" y="${y + 15}" text-anchor="end" fill="#111827"${row.variant.ours ? ' font-weight="600"' : ''}>${escapeXml(label)}</text>`,
    );
    const end = Number.isFinite(row.ratio.mean) ? at(row.ratio.mean) : left;
    parts.push(`<rect x="${left}" y="${y + 4}" width="${(end - left).toFixed(1)}" height="${rowHeight - 8}" rx="2" fill="${color}"/>`);
    if (Number.isFinite(row.ratio.min) && row.ratio.min !== row.ratio.max) {
      parts.push(
        `<line x1="${at(row.ratio.min).toFixed(1)}" y1="${y + 12}" x2="${at(row.ratio.max).toFixed(1)}" y2="${y + 12}" stroke="#111827" stroke-width="1.5"/>`,
      );
    }
    const suffix = row.variant.floor
      ? ' (store alone, no layer)'
      : wrong
        ? ` (${exactlyOnce(result) ? 'fails a check' : 'not exactly-once'})`
        : '';
    const labelAt = Math.max(end, Number.isFinite(row.ratio.max) ? at(row.ratio.max) : end) + 6;
    parts.push(
      `<text x="${labelAt.toFixed(1)}" y="${y + 15}" fill="#111827">${escapeXml(`${row.ratio.mean.toFixed(2)}×${suffix}`)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
