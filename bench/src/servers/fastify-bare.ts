/** Bare Fastify: the reference of every Fastify ratio. */
import { createFastifyBenchApp, serveFastify } from './fastify-app';

await serveFastify(await createFastifyBenchApp());
