// `prisma generate`, offline, for every package of this repository that generates a Prisma client (the
// client is build output, never committed). Generating needs no engine binary; the CLI still looks for
// its schema engine first, so unless the caller configured one, that lookup is pointed at a no-op.
// CommonJS, so that ESM scripts, jest's globalSetup and TypeScript under ts-jest all load it alike.
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

/**
 * Generates the client of `schemaPath` with the `prisma` CLI that `packageRoot` depends on, run from
 * `packageRoot`. With `stampPath`, a stamp of the schema text and Prisma version skips a client already
 * generated from the same schema; without it, the client is generated every time.
 */
function prismaGenerate(packageRoot, schemaPath, stampPath) {
  const prismaCli = require.resolve('prisma/build/index.js', { paths: [packageRoot] });
  let stamp;
  if (stampPath) {
    const prismaVersion = JSON.parse(readFileSync(require.resolve('prisma/package.json', { paths: [packageRoot] }), 'utf8')).version;
    stamp = createHash('sha256')
      .update(prismaVersion)
      .update(readFileSync(resolve(packageRoot, schemaPath)))
      .digest('hex');
    if (existsSync(stampPath) && readFileSync(stampPath, 'utf8') === stamp) return;
  }
  execFileSync(process.execPath, [prismaCli, 'generate', '--schema', schemaPath], {
    cwd: packageRoot,
    stdio: 'pipe', // on failure the thrown error carries prisma's output
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/true',
      CHECKPOINT_DISABLE: '1',
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
  });
  if (stampPath) writeFileSync(stampPath, stamp);
}

/**
 * Generates one client per `.prisma` file of `schemaDir`, each schema writing its client into
 * `test/generated/<schema name>`; the stamp lives there too, so deleting a client regenerates it.
 */
function generateEachSchema(packageRoot, schemaDir) {
  for (const file of readdirSync(resolve(packageRoot, schemaDir)).filter((name) => name.endsWith('.prisma'))) {
    const stampPath = join(packageRoot, 'test', 'generated', file.replace(/\.prisma$/, ''), '.stamp');
    prismaGenerate(packageRoot, resolve(packageRoot, schemaDir, file), stampPath);
  }
}

module.exports = { prismaGenerate, generateEachSchema };
