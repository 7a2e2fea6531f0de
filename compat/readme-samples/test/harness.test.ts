// The harness itself: what it reads out of a README, what it writes, and that a wrong sample fails.
import ts from 'typescript';
import { compileReadmes, sampleFile } from '../src/consumer';
import { readmeSamples } from '../src/readme-samples';

const fence = '```';

describe('readmeSamples', () => {
  it('reads ts and typescript blocks with the README line they start on, and nothing else', () => {
    const markdown = [
      '# title',
      '',
      `${fence}ts`,
      'const a = 1;',
      fence,
      `${fence}sh`,
      'npm i',
      fence,
      `${fence}typescript`,
      'const b = 2;',
      'const c = 3;',
      fence,
    ].join('\n');
    expect(readmeSamples(markdown).samples).toEqual([
      { index: 1, line: 4, code: 'const a = 1;' },
      { index: 2, line: 10, code: 'const b = 2;\nconst c = 3;' },
    ]);
  });

  it('exempts a block marked not-compiled, and only with a reason', () => {
    const marked = ['<!-- not-compiled: shows a shape only -->', '', `${fence}ts`, 'x', fence].join('\n');
    expect(readmeSamples(marked)).toMatchObject({ samples: [], exempt: [{ line: 4, reason: 'shows a shape only' }] });
    expect(() => readmeSamples(['<!-- not-compiled: -->', `${fence}ts`, 'x', fence].join('\n'))).toThrow(/reason/);
  });

  it("takes the compilerOptions of the README's tsconfig block", () => {
    const markdown = [
      `${fence}json`,
      '{ "compilerOptions": { "experimentalDecorators": true } }',
      fence,
      `${fence}json`,
      '{ "name": "not a tsconfig" }',
      fence,
    ].join('\n');
    expect(readmeSamples(markdown).compilerOptions).toEqual({ experimentalDecorators: true });
  });

  it('refuses an indented sample rather than skip it', () => {
    expect(() => readmeSamples(['- item', `  ${fence}ts`, '  x', `  ${fence}`].join('\n'))).toThrow(/indented/);
  });
});

describe('sampleFile', () => {
  it('keeps the code line for line, and imports only the context names the sample does not declare', () => {
    const code = "import { a } from 'x';\nconst store = 1;\nuse(app, store, a);";
    const file = sampleFile(code, ['app', 'store'], '../context/x.js', false);
    expect(file.split('\n').slice(0, 3).join('\n')).toBe(code);
    expect(file).toContain("import { app } from '../context/x.js';");
  });

  it('wraps top-level await in an async function for CommonJS, line numbers unchanged, imports outside', () => {
    const code = "import { a } from 'x';\nawait a();\nimport { b } from 'y';\nb();";
    const file = sampleFile(code, [], '', true);
    const lines = file.split('\n');
    expect(lines[1]).toBe('void (async () => { await a();');
    expect(lines[2]?.trim()).toBe('');
    expect(lines[3]).toBe('b();');
    expect(file).toContain("import { b } from 'y';");
    const parsed = ts.transpileModule(file, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.CommonJS } });
    expect(parsed.diagnostics).toEqual([]);
    expect(sampleFile(code, [], '', false).startsWith(code)).toBe(true);
  });
});

describe('compileReadmes', () => {
  it('fails a wrong sample, at its README line, under every setup', () => {
    const markdown = [
      '# fixture',
      `${fence}ts`,
      "import { idempotency } from '@idem/express';",
      '',
      "idempotency({ store: 'not a store' });",
      fence,
    ].join('\n');
    const fixture = { path: 'fixture/README.md', name: 'harness-fixture', samples: readmeSamples(markdown) };
    for (const config of ['esm-node16', 'esm-bundler', 'cjs'] as const) {
      const errors = compileReadmes(config, [fixture]).byReadme.get('fixture/README.md') ?? [];
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(new RegExp(`^fixture/README\\.md:5 \\(sample 1, ${config}\\): TS2322 `));
    }
  }, 120_000);
});
