/** The module's options, on top of every option of core's manager, and the per-handler overrides. */
import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency } from '@nestjs/common';
import type { IdempotencyOptions } from '@idem/core';

/**
 * The framework request the callbacks receive: Express' `Request` on the Express platform, the
 * `FastifyRequest` on the Fastify platform.
 */
export type NestRequest = object;

export interface NestIdempotencyOptions<Req extends NestRequest = NestRequest> extends IdempotencyOptions<Req> {
  /**
   * Protect every route (default `false`: only handlers and controllers marked `@Idempotent()`). With
   * `true`, a handler opts out with `@Idempotent(false)`.
   */
  protectAll?: boolean;
  /**
   * Most request-body bytes read to fingerprint a request whose body no parser read (and no `rawBody`
   * was kept). A protected request with a larger body is answered 413; others pass untouched. Default 1 MiB.
   */
  maxBodyBytes?: number;
}

/** `@Idempotent()` arguments: nothing (module options), `false` (opt out), or overrides for this handler. */
export type HandlerIdempotencyOptions = Partial<Omit<NestIdempotencyOptions, 'protectAll'>>;

export interface IdempotencyModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: never[]) => NestIdempotencyOptions | Promise<NestIdempotencyOptions>;
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
}

/** The injection token of the resolved module options. */
export const IDEMPOTENCY_OPTIONS = Symbol('IDEMPOTENCY_OPTIONS');

/** Option names core does not know: passed to the manager so its validation accepts them. */
export const MODULE_OPTION_NAMES = ['protectAll', 'maxBodyBytes'] as const;
