/** One protected configuration: the manager built from the module's options (or a handler's own). */
import { DEFAULTS, Idempotency, resolveMaxBodyBytes, withBodyLimit } from '@idem/core';
import { MODULE_OPTION_NAMES, type NestIdempotencyOptions, type NestRequest } from './options';

export interface Protection {
  manager: Idempotency<NestRequest>;
  markTooLarge(request: NestRequest): void;
  keyHeader: string;
  maxBodyBytes: number;
  maxResponseBytes: number;
  lockTtl: number;
}

/** Checks the options (throws ConfigurationError naming a bad one) and builds the manager. */
export function createProtection(options: Omit<NestIdempotencyOptions, 'protectAll'>): Protection {
  const maxBodyBytes = resolveMaxBodyBytes(options?.maxBodyBytes);
  const limit = withBodyLimit<NestRequest>(options, maxBodyBytes);
  return {
    manager: new Idempotency<NestRequest>(limit.options, MODULE_OPTION_NAMES),
    markTooLarge: limit.markTooLarge,
    keyHeader: options.header ?? DEFAULTS.header,
    maxBodyBytes,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
    lockTtl: options.lockTtl ?? DEFAULTS.lockTtl,
  };
}
