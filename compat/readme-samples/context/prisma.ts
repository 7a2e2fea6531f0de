// What the Prisma README's samples leave to the reader: the Express app and the PrismaClient of the
// quick start (generated, with the reader's own models, as in prisma-client.ts).
import type { Express } from 'express';
import type { PrismaClient } from '../prisma/generated/prisma/client.js';

export declare const app: Express;
export declare const prisma: PrismaClient;
