// Generates the Prisma clients the tests use (one per test schema in test/prisma) into test/generated,
// which is build output and never committed. Runs before `test` and `typecheck`, and from jest's
// globalSetup, so a fresh clone works; offline, and skipped for a client already generated from the
// same schema text and Prisma version.
import { fileURLToPath } from 'node:url';
import { generateEachSchema } from '../../../scripts/prisma-generate.cjs';

const root = fileURLToPath(new URL('..', import.meta.url));

export function generateTestClients() {
  generateEachSchema(root, 'test/prisma');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) generateTestClients();
