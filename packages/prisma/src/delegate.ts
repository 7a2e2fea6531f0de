/**
 * The slice of a Prisma model delegate (`prisma.idempotencyRecord`) the store uses. Typed here in
 * Prisma's own argument shapes, so the store needs no generated types: any client generated from a
 * schema holding the documented model fits.
 */

/** One row of the idempotency model, as Prisma returns it (BigInt columns come back as `bigint`). */
export interface IdempotencyRow {
  key: string;
  fingerprint: string;
  status: string;
  response: Uint8Array | null;
  token: string | null;
  createdAt: bigint | number;
  expiresAt: bigint | number;
  lockExpiresAt: bigint | number;
}

type Comparable = bigint | { lt?: bigint; lte?: bigint; gt?: bigint; gte?: bigint };

export interface RowFilter {
  key?: string;
  token?: string;
  status?: string;
  expiresAt?: Comparable;
  lockExpiresAt?: Comparable;
  OR?: RowFilter[];
}

export interface IdempotencyDelegate {
  create(args: {
    data: Omit<IdempotencyRow, 'createdAt' | 'expiresAt' | 'lockExpiresAt'> & Record<'createdAt' | 'expiresAt' | 'lockExpiresAt', bigint>;
    select: { key: true };
  }): Promise<unknown>;
  updateMany(args: { where: RowFilter; data: Partial<IdempotencyRow> }): Promise<{ count: number }>;
  deleteMany(args: { where: RowFilter }): Promise<{ count: number }>;
  findUnique(args: { where: { key: string } }): Promise<IdempotencyRow | null>;
}

const METHODS = ['create', 'updateMany', 'deleteMany', 'findUnique'] as const;

/** True when `value` has every delegate method the store calls. */
export function isDelegate(value: unknown): value is IdempotencyDelegate {
  return (
    typeof value === 'object' && value !== null && METHODS.every((name) => typeof (value as Record<string, unknown>)[name] === 'function')
  );
}
