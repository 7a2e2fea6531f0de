/** The middleware's own options, on top of every option of core's manager. */
import type { IncomingMessage } from 'node:http';
import type { IdempotencyOptions } from '@idem/core';

export interface ExpressIdempotencyOptions<Req extends IncomingMessage = IncomingMessage> extends IdempotencyOptions<Req> {
  /**
   * Most request-body bytes read to fingerprint a request when no body parser ran before the
   * middleware. A protected request with a larger body is answered 413; others pass untouched.
   * Default 1 MiB.
   */
  maxBodyBytes?: number;
}

/** Option names core does not know: passed to the manager so its validation accepts them. */
export const MIDDLEWARE_OPTION_NAMES = ['maxBodyBytes'] as const;
