// What the NestJS README's samples leave to the reader: a store and the app's own authentication.
import type { CanActivate } from '@nestjs/common';
import type { IdempotencyStore } from '@idem/core';

export declare const store: IdempotencyStore;
export declare class AuthGuard implements CanActivate {
  canActivate(): boolean;
}
export type AuthedRequest = { user: { id: string } };
