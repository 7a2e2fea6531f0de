// Every TypeScript sample of every README type-checks, unchanged, in a strict consumer project under
// each module setup (see src/consumer.ts). A failure names the README line and the compiler's error.
import { CONFIGS, compileReadmes, readmes, type CompileResult, type ConfigName } from '../src/consumer';

const list = readmes();

it('every README shows TypeScript samples, and none is exempted from compiling without a reason', () => {
  for (const readme of list) expect([readme.path, readme.samples.samples.length > 0]).toEqual([readme.path, true]);
  for (const readme of list) for (const exemption of readme.samples.exempt) expect(exemption.reason).not.toBe('');
});

describe.each(Object.keys(CONFIGS) as ConfigName[])('README samples, strict %s consumer', (config) => {
  let result: CompileResult;
  beforeAll(() => {
    result = compileReadmes(config, list);
  }, 600_000);

  it('the consumer project itself compiles (options, contexts, the generated Prisma client)', () => {
    expect(result.setup).toEqual([]);
  });

  it.each(list.map((readme) => readme.path))('%s', (path) => {
    expect(result.byReadme.get(path)).toEqual([]);
  });
});
