/** The middleware's own options, on top of every option of core's manager. */
import type { Context, Env } from 'hono';
import type { IdempotencyOptions } from '@idem/core';

export interface HonoIdempotencyOptions<E extends Env = Env> extends IdempotencyOptions<Context<E>> {
  /**
   * Most request-body bytes read (from a clone: the handler still gets the whole body) to fingerprint
   * a request. A protected request with a larger body is answered 413; others pass untouched.
   * Default 1 MiB.
   */
  maxBodyBytes?: number;
}

/** Option names core does not know: passed to the manager so its validation accepts them. */
export const MIDDLEWARE_OPTION_NAMES = ['maxBodyBytes'] as const;
