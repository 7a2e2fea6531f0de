/**
 * `POST /__harness/store`: runs one store method inside the Worker and answers its result, so the
 * conformance suite (in Node) drives a store that really runs in workerd on real bindings.
 */
import type { IdempotencyStore } from '@idem/core';
import { parseWire, stringifyWire } from '../harness/wire-json';
import { storeFor, type StoreEnv, type StoreKind } from './stores';

export interface StoreCall {
  kind: StoreKind;
  prefix: string;
  method: Exclude<keyof IdempotencyStore, 'close'>;
  args: unknown[];
}

export async function handleStoreCall(request: Request, env: StoreEnv): Promise<Response> {
  const call = parseWire<StoreCall>(await request.text());
  try {
    const store = await storeFor(env, call.kind, call.prefix);
    const method = store[call.method] as (...args: unknown[]) => Promise<unknown>;
    return new Response(stringifyWire({ result: await method.apply(store, call.args) }));
  } catch (error) {
    return new Response(stringifyWire({ error: { name: (error as Error).name, message: (error as Error).message } }));
  }
}
