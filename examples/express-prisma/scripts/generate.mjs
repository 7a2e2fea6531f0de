// `prisma generate` for the example (the client is build output, never committed). Generating needs
// no engine binary; the CLI still looks for its schema engine first, so unless you configured one,
// that lookup is pointed at a no-op and the command works offline too.
import { fileURLToPath } from 'node:url';
import { prismaGenerate } from '../../../scripts/prisma-generate.cjs';

prismaGenerate(fileURLToPath(new URL('..', import.meta.url)), 'prisma/schema.prisma');
