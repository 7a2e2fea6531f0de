/** One protected configuration: the manager built from the plugin's options (or a route's own). */
import type { FastifyRequest } from 'fastify';
import { createMiddlewareSetup, type MiddlewareSetup } from '@idem/core/adapter';
import { PLUGIN_OPTION_NAMES, type FastifyIdempotencyOptions } from './options';

export type Protection = MiddlewareSetup<FastifyRequest>;

/** Checks the options (throws ConfigurationError naming a bad one) and builds the manager. */
export function createProtection(options: Omit<FastifyIdempotencyOptions, 'global'>): Protection {
  return createMiddlewareSetup<FastifyRequest>(options, PLUGIN_OPTION_NAMES);
}
