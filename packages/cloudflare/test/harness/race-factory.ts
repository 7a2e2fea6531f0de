/** `createStore` for the multi-process race: each racer's store runs in the parent's workerd. */
import type { StoreKind } from '../worker/stores';
import { RemoteStore } from './remote-store';

export function createStore({ prefix }: { prefix: string }): RemoteStore {
  const url = process.env.IDEM_WORKERD_URL;
  const kind = process.env.IDEM_WORKERD_STORE as StoreKind | undefined;
  if (!url || !kind) throw new Error('IDEM_WORKERD_URL and IDEM_WORKERD_STORE must name the running Worker and the store');
  return new RemoteStore(url, kind, prefix);
}
