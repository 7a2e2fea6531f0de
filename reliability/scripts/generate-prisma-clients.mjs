// Generates the Prisma clients of the transactional proofs (one per schema in prisma/) into
// test/generated, which is build output and never committed. Runs before `typecheck` and from jest's
// globalSetup, so a fresh clone works; a stamp skips a client already generated from the same schema
// text and Prisma version. Offline-safe: `prisma generate` needs no engine binary, so the CLI's
// schema-engine lookup is pointed at a no-op unless the caller configured one.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const prismaCli = require.resolve('prisma/build/index.js');
const prismaVersion = JSON.parse(readFileSync(require.resolve('prisma/package.json'), 'utf8')).version;

export function generatePrismaClients() {
  const schemaDir = join(root, 'prisma');
  for (const file of readdirSync(schemaDir).filter((name) => name.endsWith('.prisma'))) {
    const schemaPath = join(schemaDir, file);
    const outDir = join(root, 'test', 'generated', file.replace(/\.prisma$/, ''));
    const stampPath = join(outDir, '.stamp');
    const stamp = createHash('sha256').update(prismaVersion).update(readFileSync(schemaPath)).digest('hex');
    if (existsSync(stampPath) && readFileSync(stampPath, 'utf8') === stamp) continue;
    execFileSync(process.execPath, [prismaCli, 'generate', '--schema', schemaPath], {
      cwd: root,
      stdio: 'pipe', // on failure the thrown error carries prisma's output
      env: {
        ...process.env,
        PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/true',
        CHECKPOINT_DISABLE: '1',
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
      },
    });
    writeFileSync(stampPath, stamp);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) generatePrismaClients();
