/** One protected configuration: the manager built from the plugin's options (or a route's own). */
import type { FastifyRequest } from 'fastify';
import { DEFAULTS, Idempotency, resolveMaxBodyBytes, withBodyLimit } from '@idem/core';
import { PLUGIN_OPTION_NAMES, type FastifyIdempotencyOptions } from './options';

export interface Protection {
  manager: Idempotency<FastifyRequest>;
  markTooLarge(request: FastifyRequest): void;
  keyHeader: string;
  maxBodyBytes: number;
  maxResponseBytes: number;
  lockTtl: number;
}

/** Checks the options (throws ConfigurationError naming a bad one) and builds the manager. */
export function createProtection(options: Omit<FastifyIdempotencyOptions, 'global'>): Protection {
  const maxBodyBytes = resolveMaxBodyBytes(options?.maxBodyBytes);
  const limit = withBodyLimit<FastifyRequest>(options, maxBodyBytes);
  return {
    manager: new Idempotency<FastifyRequest>(limit.options, PLUGIN_OPTION_NAMES),
    markTooLarge: limit.markTooLarge,
    keyHeader: options.header ?? DEFAULTS.header,
    maxBodyBytes,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
    lockTtl: options.lockTtl ?? DEFAULTS.lockTtl,
  };
}
