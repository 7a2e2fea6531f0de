// `prisma generate` for the example (the client is build output, never committed). Generating needs
// no engine binary; the CLI still looks for its schema engine first, so unless you configured one,
// that lookup is pointed at a no-op and the command works offline too.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
execFileSync(process.execPath, [require.resolve('prisma/build/index.js'), 'generate', '--schema', 'prisma/schema.prisma'], {
  cwd: new URL('..', import.meta.url),
  stdio: 'pipe',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/true',
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  },
});
