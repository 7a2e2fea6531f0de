/** Store factory for the multi-process race: each child opens its own PrismaClient (own pg pool). */
import { PrismaStore } from '../../src';
import { postgresAdapter, postgresPrisma } from './postgres';
import { closingClient } from './race-store';

export function createStore({ prefix }: { prefix: string }) {
  const schema = process.env.IDEM_PRISMA_RACE_PG_SCHEMA;
  if (!schema) throw new Error('IDEM_PRISMA_RACE_PG_SCHEMA is not set');
  // 1 000 concurrent calls share a pool of 10 connections: allow them to queue.
  const prisma = postgresPrisma(schema, postgresAdapter(schema, { connectionTimeoutMillis: 60_000 }));
  return closingClient(new PrismaStore({ prisma, prefix }), () => prisma.$disconnect());
}
