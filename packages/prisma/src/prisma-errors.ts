/**
 * Prisma's errors, told apart by their documented `code` (P2002 unique violation, P1001 unreachable,
 * P2024 pool timeout, …) rather than by class, so the store works whichever `@prisma/client` copy the
 * application loaded.
 */
import { StorageError } from '@idem/core';

/** The `create` lost the race for the key: another request's record exists. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}

/** Any Prisma failure (connection, timeout, missing table, …) as core's StorageError, cause kept. */
export function storageError(error: unknown, operation: string): StorageError {
  if (error instanceof StorageError) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const detail = error instanceof Error ? error.message.trim() : String(error);
  const prefix = typeof code === 'string' ? `${code}: ` : '';
  return new StorageError(`Prisma idempotency store ${operation} failed: ${prefix}${detail}`, { cause: error });
}
