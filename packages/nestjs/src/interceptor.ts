/**
 * The interceptor IdempotencyModule registers app-wide. It only translates — every decision is core's
 * `Idempotency.handle()`. It runs after guards (so `scope` sees the authenticated user) and records the
 * response at the node:http level, so whatever reaches the client — Nest's serialization, an
 * interceptor's mapping, an `@Res()` handler's own writes — is what a retry gets back.
 */
import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, from, mergeMap, NEVER, throwError, type Observable } from 'rxjs';
import { ConfigurationError } from '@idem/core';
import { captureNodeResponse, guardAbandonedExecution, nodeRequestHeaders, type Decision, type Execution } from '@idem/core/adapter';
import { IDEMPOTENT_METADATA, type IdempotentMetadata } from './decorator';
import { IDEMPOTENCY_OPTIONS, type NestIdempotencyOptions } from './options';
import { recordOutcome } from './outcome';
import { nodeRequest, nodeResponse, sendResponse } from './platform';
import { createProtection, type Protection } from './protection';
import { readBody } from './request-body';
import { exposeTransaction } from './transaction';

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly options: Omit<NestIdempotencyOptions, 'protectAll'>;
  private readonly protectAll: boolean;
  private readonly base: Protection;
  /** Handlers with their own `@Idempotent({ ... })` options get their own manager, built once. */
  private readonly perHandler = new WeakMap<object, Protection>();

  constructor(
    @Inject(IDEMPOTENCY_OPTIONS) options: NestIdempotencyOptions,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {
    const { protectAll = false, ...rest } = options ?? ({} as NestIdempotencyOptions);
    if (typeof protectAll !== 'boolean') throw new ConfigurationError('`protectAll` must be a boolean');
    this.options = rest;
    this.protectAll = protectAll;
    this.base = createProtection(rest);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<object>();
    const protection = this.protectionFor(context);
    if (!protection) {
      exposeTransaction(request, this.base.manager.passTransaction);
      return next.handle();
    }
    const response = http.getResponse<object>();
    return from(this.decide(request, response, protection)).pipe(
      mergeMap((decision) => {
        // The client left mid-body: nobody is left to answer, and the handler must not run for a
        // request that never fully arrived. (The route's promise never settles; it is collected.)
        if (decision === undefined) return NEVER;
        recordOutcome(request, decision.outcome);
        if (decision.action === 'pass') {
          exposeTransaction(request, protection.manager.passTransaction);
          return next.handle();
        }
        if (decision.action === 'respond') {
          sendResponse(response, decision.response);
          // The answer is written: the handler must not run and Nest must not send anything else.
          // (The route's promise never settles and is collected once the response is done.)
          return NEVER;
        }
        return this.run(request, response, decision.execution, protection, next);
      }),
    );
  }

  private protectionFor(context: ExecutionContext): Protection | undefined {
    const setting = this.reflector.getAllAndOverride<IdempotentMetadata | undefined>(IDEMPOTENT_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (setting === false) return undefined;
    if (setting === undefined) return this.protectAll ? this.base : undefined;
    if (setting === true) return this.base;
    let protection = this.perHandler.get(setting);
    if (!protection) this.perHandler.set(setting, (protection = createProtection({ ...this.options, ...setting })));
    return protection;
  }

  /** Resolves undefined when the client left mid-body (nobody is left to answer). */
  private async decide(request: object, response: object, protection: Protection): Promise<Decision | undefined> {
    const body = await readBody(request, response, protection.maxBodyBytes);
    if (body.kind === 'aborted') return undefined;
    if (body.kind === 'too-large') protection.markTooLarge(request);
    const req = nodeRequest(request);
    return protection.manager.handle(
      {
        method: req.method ?? 'GET',
        // Express strips a router's mount path from `url`; the fingerprint wants the path the client sent.
        url: (request as { originalUrl?: string }).originalUrl ?? req.url ?? '/',
        headers: nodeRequestHeaders(req, protection.keyHeader),
        ...(body.body !== undefined ? { body: body.body } : {}),
        ...(body.parsedBody !== undefined ? { parsedBody: body.parsedBody } : {}),
        raw: request,
      },
      request,
    );
  }

  private run(request: object, response: object, execution: Execution, protection: Protection, next: CallHandler): Observable<unknown> {
    exposeTransaction(request, execution.transaction);
    let failed = false;
    const guard = guardAbandonedExecution(execution, protection.lockTtl);
    const res = nodeResponse(response);
    captureNodeResponse(res, protection.maxResponseBytes, {
      async commit(captured) {
        guard.settle();
        // The handler threw: this is an exception filter's answer, never recorded; a retry runs again.
        if (failed) return execution.abort();
        const finished = await execution.finish(captured);
        // The handler's transaction was rolled back (lease lost, database failure): its answer is not sent.
        return finished.response;
      },
      clientGone: () => guard.clientGone(),
    });
    return next.handle().pipe(
      catchError((error: unknown) => {
        failed = true;
        return throwError(() => error);
      }),
    );
  }
}
