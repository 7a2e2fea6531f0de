/**
 * The store a race child uses: the real PrismaStore, closing the child's own PrismaClient when the
 * child is done (the store never disconnects a client it was given; here the client stands for the app's).
 */
import type { IdempotencyStore } from '@idem/core';

export function closingClient(store: IdempotencyStore, disconnect: () => Promise<void>): IdempotencyStore {
  return Object.assign(Object.create(store) as IdempotencyStore, { close: disconnect });
}
