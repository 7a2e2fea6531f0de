/**
 * A record is one Redis string, so the common transitions are native commands (`SET … NX PX … GET`)
 * and the scripts that remain read and write a fixed-width header without parsing anything:
 *
 *   byte  0        status: `P` (in progress) or `C` (completed)
 *   bytes 1–36     the lease token (a UUID). A completed record keeps it: status + token name this
 *                  incarnation of the key, which is what fencing compares.
 *   bytes 37–52    lockExpiresAt   \
 *   bytes 53–68    expiresAt        } epoch ms, 16 zero-padded digits: compare as strings in Lua
 *   bytes 69–84    createdAt       /
 *   bytes 85–92    byte length of the fingerprint, 8 digits
 *   then           the fingerprint (UTF-8), then the encoded response (completed records only)
 */
import type { IdempotencyRecord } from '@idem/core';

const TOKEN_LENGTH = 36;
const TIME_DIGITS = 16;
/** Status and token: bytes 0–36. */
const OWNER_LENGTH = 1 + TOKEN_LENGTH;
const LOCK_AT = OWNER_LENGTH;
const EXPIRES_AT = LOCK_AT + TIME_DIGITS;
const CREATED_AT = EXPIRES_AT + TIME_DIGITS;
const FINGERPRINT_LENGTH_AT = CREATED_AT + TIME_DIGITS;
const HEADER_LENGTH = FINGERPRINT_LENGTH_AT + 8;
const ZEROS = '0'.repeat(TIME_DIGITS);

/** An epoch-ms instant as 16 digits (whole ms; the contract's times are whole ms). */
export function time16(ms: number): string {
  const digits = String(Math.max(0, Math.ceil(ms)));
  return digits.length >= TIME_DIGITS ? digits : ZEROS.slice(digits.length) + digits;
}

/** What `complete`, `extend` and `release` compare: the pending record owned by `token`. */
export function pendingOwner(token: string): string {
  return `P${token}`;
}

/**
 * The value a new owner writes. A pending record lives at least as long as its lease: `ttl` counts from
 * completion, never from under a running handler.
 */
export function pendingValue(token: string, fingerprint: string, now: number, lockTtlMs: number, ttlMs: number): string {
  const lockExpiresAt = now + lockTtlMs;
  const length = String(Buffer.byteLength(fingerprint));
  return `P${token}${time16(lockExpiresAt)}${time16(Math.max(now + ttlMs, lockExpiresAt))}${time16(now)}${'00000000'.slice(length.length)}${length}${fingerprint}`;
}

/** The decimal digits at `at`, read from the bytes (no string per field: a replay reads four of them). */
function digits(value: Buffer, at: number, length: number): number {
  let parsed = 0;
  for (let i = at; i < at + length; i++) {
    const digit = (value[i] as number) - 0x30;
    // A byte that is no digit makes the whole field NaN (and it stays NaN), refused below.
    parsed = digit >= 0 && digit <= 9 ? parsed * 10 + digit : Number.NaN;
  }
  if (!Number.isSafeInteger(parsed))
    throw new TypeError(`Malformed time in idempotency record: ${JSON.stringify(value.toString('latin1', at, at + length))}`);
  return parsed;
}

/** Parses a stored value (a Buffer, so binary responses stay intact). */
export function decodeRecord(key: string, value: Buffer): IdempotencyRecord {
  const status = value[0];
  if (value.length < HEADER_LENGTH || (status !== 0x50 && status !== 0x43)) throw new TypeError('Malformed idempotency record in Redis');
  const fingerprintEnd = HEADER_LENGTH + digits(value, FINGERPRINT_LENGTH_AT, 8);
  if (fingerprintEnd > value.length) throw new TypeError('Malformed idempotency record in Redis');
  const record: IdempotencyRecord = {
    key,
    fingerprint: value.toString('utf8', HEADER_LENGTH, fingerprintEnd),
    status: status === 0x43 ? 'completed' : 'in_progress',
    createdAt: digits(value, CREATED_AT, TIME_DIGITS),
    expiresAt: digits(value, EXPIRES_AT, TIME_DIGITS),
    lockExpiresAt: digits(value, LOCK_AT, TIME_DIGITS),
  };
  // A copy: the reply buffer may be a slice of the client's reusable parser memory.
  if (status === 0x43) record.response = new Uint8Array(value.subarray(fingerprintEnd));
  return record;
}
