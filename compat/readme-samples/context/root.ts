// What the root README's samples leave to the reader: the quick start's app, and the app's own
// business code.
import type { Express } from 'express';

export declare const app: Express;
export declare function charge(body: unknown): Promise<{ id: string }>;
