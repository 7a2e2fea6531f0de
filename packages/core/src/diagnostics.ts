/**
 * idem's events on `node:diagnostics_channel`, the convention undici, fastify and Node's own http use:
 * anyone (an OpenTelemetry bridge, a metrics exporter, a log shipper) subscribes by channel name, with
 * no option on the manager and no import of idem. Nothing is built or published while a channel has no
 * subscriber, so an unobserved app pays one property read per event.
 *
 * Channels (the names are stable API):
 * - `idem:hit`, `idem:miss`, `idem:conflict`, `idem:mismatch`: an {@link IdempotencyEventMessage} for a
 *   replay, a first execution, a key in progress (409 or waited for) and a key reused with another request;
 * - `idem:store-error`: the store failed (the message carries `error` and `failOpen`);
 * - `idem:lease-lost`: a renewal or `complete` found the lease taken over;
 * - `idem:store`, a tracing channel (`tracing:idem:store:start` / `end` / `asyncStart` / `asyncEnd` /
 *   `error`) around every store call, with a {@link StoreCallContext}: a subscriber times it from
 *   `start` to `asyncEnd`, as `tracingChannel` subscribers do for undici and `node:http`.
 *
 * The module is looked up at run time (`process.getBuiltinModule`, else a dynamic import), so core still
 * loads where it is missing; there the events are simply not published. The types here are idem's own:
 * core's types need no `@types/node`.
 */
import type { IdempotencyError } from './errors';

export type IdempotencyEventName = 'hit' | 'miss' | 'conflict' | 'mismatch' | 'store-error' | 'lease-lost';

/** What every event channel publishes. */
export interface IdempotencyEventMessage {
  /** The client's key (undefined for a store failure no request is waiting on). */
  key: string | undefined;
  /** The key as the store holds it (scope applied, hashed with `hashKeys`). */
  storageKey: string;
  /** The framework's request for HTTP events (undefined in the function API). */
  request?: unknown;
  /** `idem:store-error`: the failure, a `StorageError`. */
  error?: IdempotencyError;
  /** `idem:store-error`: whether `failOpen` let the handler run anyway, unprotected. */
  failOpen?: boolean;
}

export type StoreOperation = 'acquire' | 'get' | 'complete' | 'release' | 'extend';

/** The context object of one traced store call; the tracing channel adds `result` or `error` to it. */
export interface StoreCallContext {
  operation: StoreOperation;
  storageKey: string;
  result?: unknown;
  error?: unknown;
}

/** Every channel name idem publishes on. */
export const DIAGNOSTICS_CHANNELS = {
  hit: 'idem:hit',
  miss: 'idem:miss',
  conflict: 'idem:conflict',
  mismatch: 'idem:mismatch',
  'store-error': 'idem:store-error',
  'lease-lost': 'idem:lease-lost',
  /** A tracing channel: subscribe with `tracingChannel('idem:store')`. */
  store: 'idem:store',
} as const;

/** The parts of `node:diagnostics_channel` idem uses, typed here so core's types need no `@types/node`. */
interface Channel {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
}

interface TracingChannel {
  /** Node ≥ 20.13 (and Bun, Deno, workerd); derived from the five channels where it is missing. */
  readonly hasSubscribers?: boolean;
  readonly start: Channel;
  readonly end: Channel;
  readonly asyncStart: Channel;
  readonly asyncEnd: Channel;
  readonly error: Channel;
  tracePromise<T>(fn: () => Promise<T>, context: object): Promise<T>;
}

interface DiagnosticsChannelModule {
  channel(name: string): Channel;
  tracingChannel?: (name: string) => TracingChannel;
}

type EventChannels = Record<IdempotencyEventName, Channel>;

let events: EventChannels | undefined;
let storeCalls: TracingChannel | undefined;

function attach(module: DiagnosticsChannelModule | undefined): void {
  if (!module || typeof module.channel !== 'function') return;
  const names = Object.keys(DIAGNOSTICS_CHANNELS).filter((name) => name !== 'store') as IdempotencyEventName[];
  events = Object.fromEntries(names.map((name) => [name, module.channel(DIAGNOSTICS_CHANNELS[name])])) as EventChannels;
  storeCalls = typeof module.tracingChannel === 'function' ? module.tracingChannel(DIAGNOSTICS_CHANNELS.store) : undefined;
}

// Synchronously where the runtime offers it (Node ≥ 20.16, Bun, Deno, workerd with nodejs_compat), so
// the first request is observed; else as soon as the dynamic import settles (older Node 20).
const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
try {
  attach(runtime?.getBuiltinModule?.('node:diagnostics_channel') as DiagnosticsChannelModule | undefined);
} catch {
  // A runtime that refuses the lookup: fall through to the import, or go without.
}
if (!events) {
  import('node:diagnostics_channel').then(
    (module) => attach(module as unknown as DiagnosticsChannelModule),
    () => undefined,
  );
}

/** Whether anyone listens to `name`: lets a caller skip building what only a subscriber would read. */
export function observed(name: IdempotencyEventName): boolean {
  return events?.[name].hasSubscribers === true;
}

export function publishEvent(name: IdempotencyEventName, message: IdempotencyEventMessage): void {
  const channel = events?.[name];
  if (channel?.hasSubscribers) channel.publish(message);
}

/** Runs one store call, traced on `idem:store` when anyone listens. */
export function traceStoreCall<T>(operation: StoreOperation, storageKey: string, call: () => Promise<T>): Promise<T> {
  const tracing = storeCalls;
  if (tracing === undefined || !tracingObserved(tracing)) return call();
  const context: StoreCallContext = { operation, storageKey };
  return tracing.tracePromise(call, context);
}

function tracingObserved(tracing: TracingChannel): boolean {
  if (tracing.hasSubscribers !== undefined) return tracing.hasSubscribers;
  return (
    tracing.start.hasSubscribers ||
    tracing.end.hasSubscribers ||
    tracing.asyncStart.hasSubscribers ||
    tracing.asyncEnd.hasSubscribers ||
    tracing.error.hasSubscribers
  );
}
