/**
 * The Prisma README's samples import the reader's generated client (`./generated/prisma/client.js`).
 * It is generated here from the README's own model (its first ```prisma block, the PostgreSQL one) plus
 * the reader's own models (`context/prisma.prisma`), so the store is type-checked against the client
 * that exact model produces, in the module format each setup's reader would generate. One
 * `prisma generate` writes the three (it needs no engine binary); a stamp skips it when neither the
 * models nor Prisma changed.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prismaGenerate } from '../../../scripts/prisma-generate.cjs';
import type { ConfigName } from './consumer';

const workspace = join(__dirname, '..');
const readme = join(workspace, '..', '..', 'packages', 'prisma', 'README.md');

/** The generator settings a reader of each setup uses: ESM with `.js` imports for node16, none for a bundler. */
const GENERATOR: Record<ConfigName, { moduleFormat: string; importFileExtension: string }> = {
  'esm-node16': { moduleFormat: 'esm', importFileExtension: 'js' },
  'esm-bundler': { moduleFormat: 'esm', importFileExtension: '' },
  cjs: { moduleFormat: 'cjs', importFileExtension: '' },
};

export function readmeModel(): string {
  const model = /^```prisma\n([\s\S]*?)^```$/m.exec(readFileSync(readme, 'utf8'))?.[1];
  if (!model) throw new Error('packages/prisma/README.md shows no ```prisma model');
  return model;
}

/** Generates each setup's client into `<generatedRoot>/<setup>/prisma/generated/prisma`, where the sample imports it. */
export function generatePrismaClients(generatedRoot: string): void {
  const generators = (Object.keys(GENERATOR) as ConfigName[]).map((config, index) => [
    `generator client${index} {`,
    '  provider            = "prisma-client"',
    `  output              = ${JSON.stringify(join(generatedRoot, config, 'prisma', 'generated', 'prisma'))}`,
    `  moduleFormat        = "${GENERATOR[config].moduleFormat}"`,
    `  importFileExtension = "${GENERATOR[config].importFileExtension}"`,
    '}',
    '',
  ]);
  const schema = [
    ...generators.flat(),
    'datasource db {',
    '  provider = "postgresql"',
    '}',
    '',
    readmeModel(),
    readFileSync(join(workspace, 'context', 'prisma.prisma'), 'utf8'),
  ].join('\n');
  mkdirSync(generatedRoot, { recursive: true });
  const schemaPath = join(generatedRoot, 'schema.prisma');
  writeFileSync(schemaPath, schema);
  prismaGenerate(workspace, schemaPath, join(generatedRoot, 'prisma-clients.stamp'));
}
