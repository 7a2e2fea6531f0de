/**
 * Writes every README sample as a file of a strict TypeScript consumer project, once per module setup a
 * user may have, and type-checks them against the packages as installed: `@idem/*` resolve through
 * their `exports` to the built `dist` types, the frameworks and drivers through this workspace's own
 * node_modules, exactly as in an app.
 *
 * A sample is compiled as written. What it leaves to the reader (the `app` of the quick start above
 * it, a `store`, the reader's own `charge()`...) comes from `context/<readme>.ts`, imported only for
 * the names the sample does not declare itself. Under CommonJS, where top-level `await` does not
 * exist, a sample that uses it is wrapped in an async function, as a CommonJS reader would do.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { readmeSamples, type ReadmeSamples } from './readme-samples';
import { generatePrismaClients } from './prisma-client';

export const workspace = join(__dirname, '..');
export const repoRoot = join(workspace, '..', '..');
const generatedRoot = join(workspace, '.generated');

export type ConfigName = 'esm-node16' | 'esm-bundler' | 'cjs';

/** The three module setups: `package.json` "type" of the consumer and the module options. */
export const CONFIGS: Record<ConfigName, { packageType: 'module' | 'commonjs'; compilerOptions: Record<string, unknown> }> = {
  'esm-node16': { packageType: 'module', compilerOptions: { module: 'node16', moduleResolution: 'node16' } },
  'esm-bundler': { packageType: 'module', compilerOptions: { module: 'esnext', moduleResolution: 'bundler' } },
  cjs: { packageType: 'commonjs', compilerOptions: { module: 'node16', moduleResolution: 'node16' } },
};

/** A strict Node app's tsconfig; a README's own tsconfig block is applied over it. */
const BASE_OPTIONS = {
  strict: true,
  noUncheckedIndexedAccess: true,
  target: 'es2022',
  lib: ['es2023'],
  types: ['node'],
  esModuleInterop: true,
  skipLibCheck: true,
  forceConsistentCasingInFileNames: true,
  noEmit: true,
};

export interface Readme {
  /** Repository-relative path, e.g. `packages/express/README.md`. */
  path: string;
  /** `root` or the package's folder name: names its context and its folder of samples. */
  name: string;
  samples: ReadmeSamples;
}

export function readmes(): Readme[] {
  const list = [{ path: 'README.md', name: 'root' }];
  for (const dir of readdirSync(join(repoRoot, 'packages')).sort()) {
    if (existsSync(join(repoRoot, 'packages', dir, 'README.md'))) list.push({ path: `packages/${dir}/README.md`, name: dir });
  }
  return list.map((readme) => ({ ...readme, samples: readmeSamples(readFileSync(join(repoRoot, readme.path), 'utf8')) }));
}

/** Where a generated sample came from, to point a compile error at the README line. */
interface Origin {
  readme: string;
  index: number;
  line: number;
}

export interface CompileResult {
  /** Errors per README path (every README compiled is present, with `[]` when clean). */
  byReadme: Map<string, string[]>;
  /** Errors not in a sample: options, context files, the generated Prisma client. */
  setup: string[];
}

/** Generates and type-checks every README's samples under one module setup. */
export function compileReadmes(config: ConfigName, list: Readme[] = readmes()): CompileResult {
  const dir = join(generatedRoot, config);
  const origins = writeConsumer(config, dir, list);
  const result: CompileResult = { byReadme: new Map(list.map((readme) => [readme.path, []])), setup: [] };
  // READMEs that ask for the same tsconfig share one program.
  const groups = new Map<string, Readme[]>();
  for (const readme of list) {
    const key = JSON.stringify(readme.samples.compilerOptions);
    groups.set(key, [...(groups.get(key) ?? []), readme]);
  }
  for (const group of groups.values()) {
    const json: Record<string, unknown> = {
      ...BASE_OPTIONS,
      ...(group[0]?.samples.compilerOptions ?? {}),
      ...CONFIGS[config].compilerOptions,
    };
    // A README whose setup has no Node types (Workers) also checks the declarations it loads: idem's
    // published types must stand without @types/node there. (Everywhere else that check would triple
    // the time for third-party declarations only.)
    if (Array.isArray(json.types) && !json.types.includes('node')) json.skipLibCheck = false;
    const { options, errors } = ts.convertCompilerOptionsFromJson(json, dir);
    result.setup.push(...errors.map((error) => format(error)));
    const files = [...origins.entries()]
      .filter(([, origin]) => group.some((readme) => readme.path === origin.readme))
      .map(([file]) => file);
    const program = ts.createProgram(files, options, cachingHost(options));
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      const origin = diagnostic.file && origins.get(diagnostic.file.fileName);
      if (!origin || !diagnostic.file || diagnostic.start === undefined) {
        result.setup.push(format(diagnostic));
        continue;
      }
      const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
      result.byReadme
        .get(origin.readme)
        ?.push(`${origin.readme}:${origin.line + line} (sample ${origin.index}, ${config}): TS${diagnostic.code} ${message}`);
    }
  }
  return result;
}

/**
 * Parsing the same thousand declaration files (Node, Nest, Fastify...) for each program is most of the
 * cost: one parse serves every program of the run that has the same module settings, as TypeScript's
 * own language service shares them. Only declaration files are shared: samples are rewritten per run.
 */
const parsed = new Map<string, ts.SourceFile | undefined>();

function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const parse = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreate) => {
    if (!/\.d\.[cm]?ts$/.test(fileName)) return parse(fileName, languageVersionOrOptions, onError, shouldCreate);
    const settings =
      typeof languageVersionOrOptions === 'object' ? languageVersionOrOptions : { languageVersion: languageVersionOrOptions };
    const key = [fileName, settings.languageVersion, settings.impliedNodeFormat, options.module, options.moduleResolution].join('|');
    if (!parsed.has(key)) parsed.set(key, parse(fileName, languageVersionOrOptions, onError, shouldCreate));
    return parsed.get(key);
  };
  return host;
}

function writeConsumer(config: ConfigName, dir: string, list: Readme[]): Map<string, Origin> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ private: true, type: CONFIGS[config].packageType }, null, 2)}\n`);
  const origins = new Map<string, Origin>();
  const contextDir = join(dir, 'context');
  mkdirSync(contextDir, { recursive: true });
  for (const readme of list) {
    const samplesDir = join(dir, readme.name);
    mkdirSync(samplesDir, { recursive: true });
    for (const stale of readdirSync(samplesDir).filter((file) => /^sample-\d+\.ts$/.test(file))) rmSync(join(samplesDir, stale));
    const contextSource = join(workspace, 'context', `${readme.name}.ts`);
    const contextNames = existsSync(contextSource) ? exportedNames(readFileSync(contextSource, 'utf8')) : [];
    if (contextNames.length) writeFileSync(join(contextDir, `${readme.name}.ts`), readFileSync(contextSource));
    for (const sample of readme.samples.samples) {
      const file = join(samplesDir, `sample-${sample.index}.ts`);
      writeFileSync(file, sampleFile(sample.code, contextNames, `../context/${readme.name}.js`, config === 'cjs'));
      origins.set(file, { readme: readme.path, index: sample.index, line: sample.line });
    }
  }
  if (list.some((readme) => readme.name === 'prisma')) generatePrismaClients(generatedRoot);
  return origins;
}

/**
 * The sample's code, unchanged and on its own lines (so line N of the file is line N of the sample),
 * followed by the import of the context names it uses without declaring them, and `export {}` so that
 * every sample is a module of its own.
 */
export function sampleFile(code: string, contextNames: string[], contextImport: string, commonjs: boolean): string {
  const source = ts.createSourceFile('sample.ts', code, ts.ScriptTarget.Latest, true);
  const declared = topLevelNames(source);
  const needed = contextNames.filter((name) => !declared.has(name));
  let body = code;
  let hoisted = '';
  if (commonjs && hasTopLevelAwait(source)) {
    const stays = (statement: ts.Statement) =>
      ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement) || ts.isModuleDeclaration(statement);
    const first = source.statements.find((statement) => !stays(statement));
    if (first) {
      const at = first.getStart(source);
      // Imports below the first statement move out of the function, after it (imports are hoisted
      // anyway); their text is blanked in place so that every line keeps its number.
      const later = source.statements.filter((statement) => stays(statement) && statement.getStart(source) > at);
      let rest = code.slice(at);
      for (const statement of [...later].reverse()) {
        const start = statement.getStart(source) - at;
        const end = statement.getEnd() - at;
        hoisted = `${rest.slice(start, end)}\n${hoisted}`;
        rest = `${rest.slice(0, start)}${rest.slice(start, end).replace(/[^\n]/g, ' ')}${rest.slice(end)}`;
      }
      body = `${code.slice(0, at)}void (async () => { ${rest}\n})();`;
    }
  }
  const context = needed.length ? `import { ${needed.join(', ')} } from '${contextImport}';\n` : '';
  return `${body}\n${hoisted}${context}export {};\n`;
}

/** Every name a statement at the top of the sample declares (imports included). */
function topLevelNames(source: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const addBinding = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) addBinding(element.name);
  };
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && statement.importClause) {
      const clause = statement.importClause;
      if (clause.name) names.add(clause.name.text);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
      if (bindings && ts.isNamedImports(bindings)) for (const element of bindings.elements) names.add(element.name.text);
    } else if (ts.isImportEqualsDeclaration(statement)) {
      names.add(statement.name.text);
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) addBinding(declaration.name);
    } else if (
      (ts.isFunctionDeclaration(statement) ||
        ts.isClassDeclaration(statement) ||
        ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        ts.isEnumDeclaration(statement)) &&
      statement.name
    ) {
      names.add(statement.name.text);
    }
  }
  return names;
}

function exportedNames(code: string): string[] {
  const source = ts.createSourceFile('context.ts', code, ts.ScriptTarget.Latest, true);
  const names: string[] = [];
  for (const statement of source.statements) {
    const exported =
      ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) continue;
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations)
        if (ts.isIdentifier(declaration.name)) names.push(declaration.name.text);
    } else if ('name' in statement && statement.name && ts.isIdentifier(statement.name as ts.Node)) {
      names.push((statement.name as ts.Identifier).text);
    }
  }
  return names;
}

function hasTopLevelAwait(source: ts.SourceFile): boolean {
  const visit = (node: ts.Node): boolean => {
    if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) return false;
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) return true;
    return ts.forEachChild(node, visit) ?? false;
  };
  return source.statements.some(visit);
}

function format(diagnostic: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
  if (!diagnostic.file || diagnostic.start === undefined) return `TS${diagnostic.code} ${message}`;
  const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return `${relative(repoRoot, diagnostic.file.fileName)}:${line + 1}: TS${diagnostic.code} ${message}`;
}
