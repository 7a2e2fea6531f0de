/**
 * Runs a README sample for real, as the built packages a consumer installs: the sample is transpiled
 * to CommonJS and run as the body of an async function (so its top-level `await` works), with the
 * names it leaves to the reader (`app`, `store`...) given as real values.
 */
import ts from 'typescript';
import { readmes } from './consumer';

type AsyncFunctionConstructor = new (...parameters: string[]) => (...values: unknown[]) => Promise<unknown>;
const AsyncFunction = (async () => undefined).constructor as AsyncFunctionConstructor;

/** The one sample of `readmePath` whose code contains `marker`: the README's wording may move, not the sample. */
export function findSample(readmePath: string, marker: string): string {
  const readme = readmes().find((candidate) => candidate.path === readmePath);
  const found = readme?.samples.samples.filter((sample) => sample.code.includes(marker)) ?? [];
  if (found.length !== 1) throw new Error(`${readmePath}: ${found.length} samples contain ${JSON.stringify(marker)}, expected 1`);
  return found[0]!.code;
}

export async function runSample(code: string, context: Record<string, unknown>, load: (id: string) => unknown): Promise<void> {
  const { outputText } = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const names = Object.keys(context);
  await new AsyncFunction('require', 'exports', ...names, outputText)(load, {}, ...names.map((name) => context[name]));
}
