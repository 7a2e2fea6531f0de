/** The plugin's own options, on top of every option of core's manager. */
import type { FastifyRequest } from 'fastify';
import type { IdempotencyOptions } from '@idem/core';

export interface FastifyIdempotencyOptions extends IdempotencyOptions<FastifyRequest> {
  /**
   * Protect every route (default `true`); a route opts out with `config: { idempotency: false }`.
   * With `false`, only routes with `config: { idempotency: true | { ... } }` are protected.
   */
  global?: boolean;
  /**
   * Most request-body bytes kept (as they stream to the content parser) to fingerprint a request. A
   * protected request with a larger body is answered 413; others pass untouched. Default 1 MiB.
   */
  maxBodyBytes?: number;
}

/** A route's `config.idempotency`: opt in (`true`), opt out (`false`), or opt in with its own options. */
export type RouteIdempotencyConfig = boolean | Partial<Omit<FastifyIdempotencyOptions, 'global'>>;

/** Option names core does not know: passed to the manager so its validation accepts them. */
export const PLUGIN_OPTION_NAMES = ['global', 'maxBodyBytes'] as const;
