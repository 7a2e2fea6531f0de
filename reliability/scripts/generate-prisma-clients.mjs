// Generates the Prisma clients of the transactional proofs (one per schema in prisma/) into
// test/generated, which is build output and never committed. Runs before `typecheck` and from jest's
// globalSetup, so a fresh clone works; offline, and skipped for a client already generated from the
// same schema text and Prisma version.
import { fileURLToPath } from 'node:url';
import { generateEachSchema } from '../../scripts/prisma-generate.cjs';

const root = fileURLToPath(new URL('..', import.meta.url));

export function generatePrismaClients() {
  generateEachSchema(root, 'prisma');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) generatePrismaClients();
