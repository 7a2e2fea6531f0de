/** `@Idempotent()`: marks a handler or a whole controller as protected, with optional overrides. */
import { SetMetadata } from '@nestjs/common';
import type { HandlerIdempotencyOptions } from './options';

export const IDEMPOTENT_METADATA = 'idem:idempotent';

/** The metadata a handler or controller carries: `true`, `false`, or its own options. */
export type IdempotentMetadata = boolean | HandlerIdempotencyOptions;

export function Idempotent(options: HandlerIdempotencyOptions | false = {}): MethodDecorator & ClassDecorator {
  const value: IdempotentMetadata = options === false ? false : Object.keys(options).length === 0 ? true : options;
  return SetMetadata(IDEMPOTENT_METADATA, value);
}
