import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { metrics, trace, SpanStatusCode, type Meter, type Span, type Tracer } from '@opentelemetry/api';
import { DIAGNOSTICS_CHANNELS, type IdempotencyEventMessage, type StoreCallContext } from '@idem/core';

/**
 * Turns idem's diagnostics channels into OpenTelemetry metrics and spans. Call it once at startup;
 * it returns a function that unsubscribes again.
 */
export function instrumentIdem({
  meter = metrics.getMeter('idem'),
  tracer = trace.getTracer('idem'),
}: {
  meter?: Meter;
  tracer?: Tracer;
} = {}) {
  const requests = meter.createCounter('idem.requests', { description: 'Protected requests and runs, by outcome' });
  const storeErrors = meter.createCounter('idem.store.errors', { description: 'Store failures (503, or run unprotected with failOpen)' });
  const leasesLost = meter.createCounter('idem.leases.lost', {
    description: 'Leases taken over while the handler ran: its effect may have happened twice',
  });
  const storeDuration = meter.createHistogram('idem.store.duration', { unit: 'ms', description: 'Duration of each store call' });

  // Keys are not attributes: they are unbounded (and may be sensitive); use the outcome and operation.
  const outcome = (name: string) => () => requests.add(1, { 'idem.outcome': name });
  const listeners: [string, (message: unknown) => void][] = [
    [DIAGNOSTICS_CHANNELS.hit, outcome('hit')],
    [DIAGNOSTICS_CHANNELS.miss, outcome('miss')],
    [DIAGNOSTICS_CHANNELS.conflict, outcome('conflict')],
    [DIAGNOSTICS_CHANNELS.mismatch, outcome('mismatch')],
    [
      DIAGNOSTICS_CHANNELS['store-error'],
      (message) => storeErrors.add(1, { 'idem.fail_open': (message as IdempotencyEventMessage).failOpen === true }),
    ],
    [DIAGNOSTICS_CHANNELS['lease-lost'], () => leasesLost.add(1)],
  ];
  for (const [name, listener] of listeners) subscribe(name, listener);

  // One span per store call, a child of whatever span is active (the HTTP request's, with context propagation).
  const calls = new WeakMap<object, { span: Span; started: number }>();
  const finish = (context: StoreCallContext) => {
    const call = calls.get(context);
    if (!call) return;
    calls.delete(context);
    const failed = context.error !== undefined;
    storeDuration.record(performance.now() - call.started, {
      'idem.store.operation': context.operation,
      ...(failed ? { 'error.type': (context.error as Error)?.name ?? 'Error' } : {}),
    });
    if (failed) {
      call.span.recordException(context.error as Error);
      call.span.setStatus({ code: SpanStatusCode.ERROR });
    }
    call.span.end();
  };
  const storeCalls = {
    start: (message: unknown) => {
      const context = message as StoreCallContext;
      const span = tracer.startSpan(`idem.store ${context.operation}`, { attributes: { 'idem.store.operation': context.operation } });
      calls.set(context, { span, started: performance.now() });
    },
    // A store method that throws instead of rejecting ends here; one that settles ends at asyncEnd.
    end: (message: unknown) => {
      if ((message as StoreCallContext).error !== undefined) finish(message as StoreCallContext);
    },
    asyncStart: () => undefined,
    asyncEnd: (message: unknown) => finish(message as StoreCallContext),
    error: () => undefined, // the error is on the context when the call ends
  };
  const store = tracingChannel(DIAGNOSTICS_CHANNELS.store);
  store.subscribe(storeCalls);

  return () => {
    for (const [name, listener] of listeners) unsubscribe(name, listener);
    store.unsubscribe(storeCalls);
  };
}
