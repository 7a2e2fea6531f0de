/**
 * What every middleware builds from its options once: the manager (with the request-body limit wired
 * into the fingerprint) and the few settings the framework glue needs. One place, so no adapter
 * resolves a default differently.
 */
import { resolveMaxBodyBytes, withBodyLimit } from './body-limit';
import { Idempotency } from './manager';
import { DEFAULTS, type IdempotencyOptions } from './options';

export interface MiddlewareOptions<Raw> extends IdempotencyOptions<Raw> {
  /** Most request-body bytes read to fingerprint a request. Default 1 MiB. */
  maxBodyBytes?: number;
}

export interface MiddlewareSetup<Raw> {
  manager: Idempotency<Raw>;
  /** Marks a request whose body was larger than `maxBodyBytes` (its fingerprint step answers 413). */
  markTooLarge(req: Raw): void;
  keyHeader: string;
  maxBodyBytes: number;
  maxResponseBytes: number;
  lockTtl: number;
}

/** Checks the options (throws ConfigurationError naming a bad one) and builds the manager. */
export function createMiddlewareSetup<Raw>(
  options: MiddlewareOptions<Raw>,
  middlewareOptionNames: readonly string[],
): MiddlewareSetup<Raw> {
  const maxBodyBytes = resolveMaxBodyBytes(options?.maxBodyBytes);
  const limit = withBodyLimit<Raw>(options, maxBodyBytes);
  return {
    manager: new Idempotency<Raw>(limit.options, middlewareOptionNames),
    markTooLarge: limit.markTooLarge,
    keyHeader: options.header ?? DEFAULTS.header,
    maxBodyBytes,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
    lockTtl: options.lockTtl ?? DEFAULTS.lockTtl,
  };
}
