// Shared jest setup for every workspace package: ts-jest compiles sources on the fly, and sibling
// packages resolve to their TypeScript sources so tests never need a prior build.
const path = require('node:path');

const root = __dirname;

module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': [
      require.resolve('ts-jest'),
      {
        tsconfig: {
          isolatedModules: true,
          module: 'commonjs',
          moduleResolution: 'node',
          target: 'ES2022',
          esModuleInterop: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
        },
      },
    ],
  },
  moduleNameMapper: {
    '^@idem/core/adapter$': path.join(root, 'packages/core/src/adapter.ts'),
    '^@idem/(core|memory|express|testkit|redis|sql|prisma|fastify|koa|hono|nestjs|fetch|cloudflare)$': path.join(
      root,
      'packages/$1/src/index.ts',
    ),
  },
  reporters: ['default', path.join(root, 'scripts/jest-count-reporter.cjs')],
  testTimeout: 30000,
};
