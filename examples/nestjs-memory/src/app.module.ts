/**
 * A tiny payments API. `POST /payments` charges once per Idempotency-Key: a retry with the same key
 * gets the first answer back (with `Idempotent-Replayed: true`) and never charges again.
 */
import { randomUUID } from 'node:crypto';
import { BadRequestException, Body, Controller, HttpCode, Module, Post, type DynamicModule } from '@nestjs/common';
import type { IdempotencyStore } from '@idem/core';
import { IdempotencyModule, Idempotent } from '@idem/nestjs';

let charges = 0;

@Controller('payments')
class PaymentsController {
  @Post()
  @HttpCode(201)
  @Idempotent()
  charge(@Body() body: { amount?: unknown }) {
    const amount = Number(body?.amount);
    if (!Number.isInteger(amount) || amount <= 0) throw new BadRequestException('amount must be a positive whole number of cents');
    charges++;
    return { id: `pay_${randomUUID()}`, amount, charge: charges };
  }
}

@Module({})
export class AppModule {
  static withStore(store: IdempotencyStore): DynamicModule {
    return { module: AppModule, imports: [IdempotencyModule.forRoot({ store })], controllers: [PaymentsController] };
  }
}
