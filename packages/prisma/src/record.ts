/** Turns a stored row into the contract's record (BigInt milliseconds to numbers, prefix removed). */
import type { IdempotencyRecord } from '@idem/core';
import type { IdempotencyRow } from './delegate';

export function toRecord(row: IdempotencyRow, key: string): IdempotencyRecord {
  const record: IdempotencyRecord = {
    key,
    fingerprint: row.fingerprint,
    status: row.status === 'completed' ? 'completed' : 'in_progress',
    createdAt: Number(row.createdAt),
    expiresAt: Number(row.expiresAt),
    lockExpiresAt: Number(row.lockExpiresAt),
  };
  // A copy: the caller may keep it, and Prisma may hand out a Buffer over a shared pool.
  if (row.response !== null) record.response = new Uint8Array(row.response);
  return record;
}

/** The row no longer exists for any operation at `now`. */
export function isExpired(row: IdempotencyRow, now: number): boolean {
  return Number(row.expiresAt) <= now;
}

/** A pending row whose owner's lease ran out: the next acquire takes it over. */
export function isAbandoned(row: IdempotencyRow, now: number): boolean {
  return row.status !== 'completed' && Number(row.lockExpiresAt) <= now;
}
