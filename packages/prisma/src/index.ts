export { PrismaStore, type PrismaStoreOptions } from './prisma-store';
export type { IdempotencyRow } from './delegate';
export type { PrismaTransactionOptions } from './prisma-transaction';
