/** Store factory for the multi-process race: each child opens its own PrismaClient on the shared file. */
import { PrismaStore } from '../../src';
import { closingClient } from './race-store';
import { sqlitePrisma } from './sqlite';

export function createStore({ prefix }: { prefix: string }) {
  const file = process.env.IDEM_PRISMA_RACE_SQLITE;
  if (!file) throw new Error('IDEM_PRISMA_RACE_SQLITE is not set');
  const prisma = sqlitePrisma(file);
  return closingClient(new PrismaStore({ prisma, prefix }), () => prisma.$disconnect());
}
