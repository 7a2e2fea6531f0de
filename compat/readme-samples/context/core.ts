// What the core README's samples leave to the reader: a store, the runner of the quick start, and the
// app's own code (its payment provider, events, request type, metrics).
import type { Express } from 'express';
import type { IdempotencyRunner, IdempotencyStore } from '@idem/core';

export declare const store: IdempotencyStore;
export declare const runner: IdempotencyRunner;
export declare function charge(event: { id: string; amount: number }): Promise<{ id: string }>;
export declare function sendInvoices(): Promise<number>;
export declare const provider: {
  refund(paymentId: string, amount: bigint): Promise<{ id: string }>;
  capture(order: Order): Promise<{ id: string }>;
};
export declare class Order {
  id: string;
  amount: number;
  currency: string;
}
export type Transfer = { id: string; account: string; amount: number };
export declare const event: Transfer;
export type WebhookEvent = { id: string; account: string; created: number };
export declare function processWebhook(event: WebhookEvent): Promise<Date>;
export type MyReq = { user: { id: string; tenantId: string } };
export declare const metrics: { increment(name: string): void };
export declare const histogram: { record(value: number, attributes: Record<string, string>): void };
export declare const audit: { write(entry: Record<string, unknown>): Promise<void> };
export declare const app: Express;
