/** The operations the store sends its Durable Object, and the answers: one per transition of the contract. */
import type { RecordStatus } from '@idem/core';

/**
 * `id` is the record's storage id (a hash of prefix and key), computed by the store. `now` is the
 * caller's clock: acquire stamps it as `createdAt`; the object decides on its own clock. The other
 * operations still carry it, so an object of the previous version (which decided on it) keeps working
 * while a deployment rolls out.
 */
export type StoreRequest =
  | { op: 'acquire'; id: string; key: string; fingerprint: string; lockTtlMs: number; ttlMs: number; now: number }
  /** The frame's bytes are the response to store. */
  | { op: 'complete'; id: string; token: string; ttlMs: number; now: number }
  | { op: 'release'; id: string; token: string }
  | { op: 'extend'; id: string; token: string; lockTtlMs: number; now: number }
  | { op: 'get'; id: string; now: number }
  | { op: 'delete'; id: string };

/** A record without its response (the response travels as the frame's bytes). */
export interface RecordHead {
  key: string;
  fingerprint: string;
  status: RecordStatus;
  createdAt: number;
  expiresAt: number;
  lockExpiresAt: number;
}

export interface StoreReply {
  /** acquire: the new owner's token, when this request acquired. */
  token?: string;
  /** acquire and get: the live record (its response in the frame's bytes once completed). */
  record?: RecordHead;
  /** complete, release, extend: whether the token owned the lease. */
  ok?: boolean;
}
