/** Turns the Buffer replies of the scripts and HGETALL back into core's record shape. */
import type { AcquireResult, IdempotencyRecord } from '@idem/core';

type Reply = Buffer | null;

function text(value: Reply | undefined): string {
  return value ? value.toString('utf8') : '';
}

function time(value: Reply | undefined): number {
  const parsed = Number(text(value));
  if (!Number.isFinite(parsed)) throw new TypeError(`Malformed time in idempotency record: ${JSON.stringify(text(value))}`);
  return parsed;
}

/** A copy that does not alias ioredis's reply buffer. */
function bytes(value: Reply | undefined): Uint8Array {
  return value ? new Uint8Array(value) : new Uint8Array();
}

/** Parses the acquire script's reply (see scripts.ts for its layout). */
export function parseAcquireReply(key: string, token: string, reply: unknown): AcquireResult {
  if (!Array.isArray(reply) || reply.length === 0) throw new TypeError('Unexpected reply from the acquire script');
  const [state, fingerprint, createdAt, expiresAt, lockExpiresAt, response] = reply as Reply[];
  const name = text(state);
  if (name === 'acquired') return { state: 'acquired', token };
  const record: IdempotencyRecord = {
    key,
    fingerprint: text(fingerprint),
    status: name === 'completed' ? 'completed' : 'in_progress',
    createdAt: time(createdAt),
    expiresAt: time(expiresAt),
    lockExpiresAt: time(lockExpiresAt),
  };
  if (name === 'completed') return { state: 'completed', record: { ...record, response: bytes(response) } };
  if (name === 'in_progress') return { state: 'in_progress', record };
  throw new TypeError(`Unexpected state from the acquire script: ${JSON.stringify(name)}`);
}

/** Parses an HGETALL reply; undefined when there is no record or it is expired at `now`. */
export function parseHash(key: string, hash: Record<string, Buffer>, now: number): IdempotencyRecord | undefined {
  const status = text(hash.status);
  if (status !== 'completed' && status !== 'in_progress') return undefined;
  const record: IdempotencyRecord = {
    key,
    fingerprint: text(hash.fingerprint),
    status,
    createdAt: time(hash.createdAt),
    expiresAt: time(hash.expiresAt),
    lockExpiresAt: time(hash.lockExpiresAt),
  };
  if (record.expiresAt <= now) return undefined;
  if (status === 'completed') record.response = bytes(hash.response);
  return record;
}
