/** One protected configuration: the manager built from the module's options (or a handler's own). */
import { createMiddlewareSetup, type MiddlewareSetup } from '@idem/core/adapter';
import { MODULE_OPTION_NAMES, type NestIdempotencyOptions, type NestRequest } from './options';

export type Protection = MiddlewareSetup<NestRequest>;

/** Checks the options (throws ConfigurationError naming a bad one) and builds the manager. */
export function createProtection(options: Omit<NestIdempotencyOptions, 'protectAll'>): Protection {
  return createMiddlewareSetup<NestRequest>(options, MODULE_OPTION_NAMES);
}
