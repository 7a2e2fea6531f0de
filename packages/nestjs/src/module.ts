/** `IdempotencyModule.forRoot()` / `forRootAsync()`: the options and the app-wide interceptor. */
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { IdempotencyInterceptor } from './interceptor';
import { IDEMPOTENCY_OPTIONS, type IdempotencyModuleAsyncOptions, type NestIdempotencyOptions } from './options';

const interceptor: Provider = { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor };

@Module({})
export class IdempotencyModule {
  static forRoot(options: NestIdempotencyOptions): DynamicModule {
    return {
      module: IdempotencyModule,
      global: true,
      providers: [{ provide: IDEMPOTENCY_OPTIONS, useValue: options }, interceptor],
      exports: [IDEMPOTENCY_OPTIONS],
    };
  }

  static forRootAsync(options: IdempotencyModuleAsyncOptions): DynamicModule {
    return {
      module: IdempotencyModule,
      global: true,
      imports: options.imports ?? [],
      providers: [{ provide: IDEMPOTENCY_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }, interceptor],
      exports: [IDEMPOTENCY_OPTIONS],
    };
  }
}
