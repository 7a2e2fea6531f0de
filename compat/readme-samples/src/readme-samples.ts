/**
 * Reads the TypeScript samples out of a README: every ```ts / ```typescript block, in order, with the
 * line it starts on, so a compile error points at the README itself. A block preceded by
 * `<!-- not-compiled: reason -->` is exempt (and must say why); a ```json block holding
 * `compilerOptions` is the tsconfig the README tells its reader to use, and its samples compile with it.
 */
export interface Sample {
  /** 1-based position among the README's samples. */
  index: number;
  /** 1-based README line of the block's first code line. */
  line: number;
  code: string;
}

export interface Exemption {
  line: number;
  reason: string;
}

export interface ReadmeSamples {
  samples: Sample[];
  exempt: Exemption[];
  /** The merged `compilerOptions` of the README's tsconfig blocks (empty when it shows none). */
  compilerOptions: Record<string, unknown>;
}

const OPEN = /^```([\w-]*)\s*$/;
const CLOSE = /^```\s*$/;
const NOT_COMPILED = /^<!--\s*not-compiled:(.*?)-->\s*$/;
const TYPESCRIPT = new Set(['ts', 'typescript']);

export function readmeSamples(markdown: string): ReadmeSamples {
  const lines = markdown.split('\n');
  const result: ReadmeSamples = { samples: [], exempt: [], compilerOptions: {} };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    // A sample indented under a list item would be skipped silently: refuse it instead.
    if (/^\s+```(ts|typescript)\b/.test(line)) throw new Error(`line ${i + 1}: indented TypeScript block; put samples at the top level`);
    const open = OPEN.exec(line);
    if (!open) continue;
    const language = open[1] ?? '';
    const start = i + 1;
    let end = start;
    while (end < lines.length && !CLOSE.test(lines[end] ?? '')) end++;
    if (end === lines.length) throw new Error(`line ${i + 1}: unclosed code block`);
    const code = lines.slice(start, end).join('\n');
    if (TYPESCRIPT.has(language)) {
      const marker = NOT_COMPILED.exec(previousNonBlank(lines, i));
      if (marker) {
        const reason = (marker[1] ?? '').trim();
        if (!reason) throw new Error(`line ${i + 1}: a not-compiled marker must give its reason`);
        result.exempt.push({ line: start + 1, reason });
      } else {
        result.samples.push({ index: result.samples.length + 1, line: start + 1, code });
      }
    } else if (language === 'json' || language === 'jsonc') {
      const options = tsconfigOptions(code);
      if (options) Object.assign(result.compilerOptions, options);
    }
    i = end;
  }
  return result;
}

function previousNonBlank(lines: string[], index: number): string {
  for (let i = index - 1; i >= 0; i--) if ((lines[i] ?? '').trim()) return (lines[i] ?? '').trim();
  return '';
}

function tsconfigOptions(code: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(code);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !('compilerOptions' in parsed)) return undefined;
  const options = (parsed as { compilerOptions: unknown }).compilerOptions;
  return typeof options === 'object' && options !== null ? (options as Record<string, unknown>) : undefined;
}
