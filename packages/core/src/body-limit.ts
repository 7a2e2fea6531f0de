/**
 * The request-body limit every middleware applies when it reads the raw body itself: a protected
 * request whose body is larger cannot be fingerprinted (it is not read whole), so the fingerprint step
 * answers 413 for it. Requests that are not protected are never refused, and `fingerprint: false`
 * needs no body at all.
 */
import { ConfigurationError, PayloadTooLargeError } from './errors';
import { createFingerprinter, type FingerprintFunction } from './fingerprint';
import type { IdempotencyOptions } from './options';

/** The default `maxBodyBytes` of the middlewares: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Validates a middleware's `maxBodyBytes` option and applies the default. */
export function resolveMaxBodyBytes(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_BODY_BYTES;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigurationError('`maxBodyBytes` must be a positive whole number of bytes');
  }
  return value;
}

export interface BodyLimit<Raw> {
  /** The options to give the manager: the fingerprint refuses requests marked too large. */
  options: IdempotencyOptions<Raw>;
  /** Marks a framework request whose body was larger than the limit (and so was not read whole). */
  markTooLarge(req: Raw): void;
}

/** Wraps the fingerprint so a request marked too large is answered 413 `PAYLOAD_TOO_LARGE`. */
export function withBodyLimit<Raw>(options: IdempotencyOptions<Raw>, limit: number): BodyLimit<Raw> {
  const tooLarge = new WeakSet<object>();
  const markTooLarge = (req: Raw) => {
    if (typeof req === 'object' && req !== null) tooLarge.add(req);
  };
  if (options.fingerprint === false) return { options, markTooLarge };
  const fingerprint: FingerprintFunction<Raw> = createFingerprinter(options.fingerprint);
  return {
    markTooLarge,
    options: {
      ...options,
      fingerprint: (req, request) => {
        if (typeof req === 'object' && req !== null && tooLarge.has(req)) throw new PayloadTooLargeError(limit);
        return fingerprint(req, request);
      },
    },
  };
}
