// @idem/nestjs's own test files, run against NestJS 12. Nest 12 ships ES modules only, so jest runs in
// its ESM mode (node --experimental-vm-modules) with ts-jest emitting ES modules: ts-jest keeps
// `emitDecoratorMetadata` (which esbuild-based runners drop) and the suites stay the very same files.
const path = require('node:path');
const preset = require('../../jest.preset.cjs');

const nestjs = path.join(__dirname, '../../packages/nestjs');
// Every import of Nest (and of the rxjs / reflect-metadata it shares state with) resolves here, also
// from @idem/nestjs's sources, which would otherwise find the Nest 11 of their own package.
const fromHere = (name) => path.join(__dirname, 'node_modules', name, 'index.js');
const tsJest = preset.transform['^.+\\.tsx?$'];

module.exports = {
  ...preset,
  rootDir: __dirname,
  roots: [path.join(nestjs, 'test'), path.join(__dirname, 'test')],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.tsx?$': [
      tsJest[0],
      { ...tsJest[1], useESM: true, tsconfig: { ...tsJest[1].tsconfig, module: 'ESNext', moduleResolution: 'Bundler' } },
    ],
  },
  moduleNameMapper: {
    ...preset.moduleNameMapper,
    '^@nestjs/(common|core|platform-express|platform-fastify)$': fromHere('@nestjs/$1'),
    '^rxjs$': require.resolve('rxjs', { paths: [__dirname] }),
    '^reflect-metadata$': require.resolve('reflect-metadata', { paths: [__dirname] }),
  },
};
