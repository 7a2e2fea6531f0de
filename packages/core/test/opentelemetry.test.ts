/**
 * The OpenTelemetry recipe of docs/observability.md (test/support/opentelemetry-recipe.ts, quoted there
 * verbatim) turns idem's diagnostics channels into metrics and spans, read back through the SDK's
 * in-memory exporters; the hooks keep firing beside it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpanStatusCode } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MemoryStore } from '@idem/memory';
import { IdempotencyRunner, type HttpResponse, type IdempotencyRequest, type IdempotencyStore } from '../src';
import { Idempotency } from '../src/adapter';
import { instrumentIdem } from './support/opentelemetry-recipe';

const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
// A long interval: the test collects by forceFlush, never on a timer.
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
const meterProvider = new MeterProvider({ readers: [reader] });
const spanExporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
let stopInstrumenting: () => void;

beforeAll(() => {
  stopInstrumenting = instrumentIdem({ meter: meterProvider.getMeter('idem'), tracer: tracerProvider.getTracer('idem') });
});
afterAll(async () => {
  stopInstrumenting();
  await meterProvider.shutdown();
  await tracerProvider.shutdown();
});

async function collected() {
  await reader.forceFlush();
  const metrics =
    metricExporter
      .getMetrics()
      .at(-1)
      ?.scopeMetrics.flatMap((scope) => scope.metrics) ?? [];
  return (name: string) => (metrics.find((metric) => metric.descriptor.name === name)?.dataPoints ?? []) as DataPoint<number | Histogram>[];
}

const request = (key: string, body = '{"amount":5}'): IdempotencyRequest => ({
  method: 'POST',
  url: '/payments',
  headers: { 'idempotency-key': key },
  body: new TextEncoder().encode(body),
});
const created: HttpResponse = { status: 201, headers: {}, body: new TextEncoder().encode('charged') };

describe('the OpenTelemetry recipe', () => {
  it('is the code docs/observability.md shows', () => {
    const recipe = readFileSync(join(__dirname, 'support', 'opentelemetry-recipe.ts'), 'utf8');
    const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'observability.md'), 'utf8');
    expect(doc).toContain(recipe);
  });

  it('counts outcomes, store errors and lost leases, times every store call, and leaves the hooks working', async () => {
    const store = new MemoryStore();
    const hits: string[] = [];
    const idem = new Idempotency({ store, onCacheHit: (key) => void hits.push(key) });
    const running = await idem.handle(request('pay-1'));
    if (running.action !== 'execute') throw new Error('expected execute');
    await idem.handle(request('pay-1')); // in progress: 409
    await running.execution.finish(created);
    await idem.handle(request('pay-1')); // replay
    await idem.handle(request('pay-1')); // replay
    await idem.handle(request('pay-1', '{"amount":6}')); // 422

    const down = new IdempotencyRunner({
      store: { ...bound(store), acquire: () => Promise.reject(new Error('connection refused')) },
      failOpen: true,
    });
    await down.run('job-1', async () => 'ran unprotected');
    const takenOver = new IdempotencyRunner({ store: { ...bound(store), complete: async () => false } });
    await takenOver.run('job-2', async () => 'done');
    store.close();

    const points = await collected();
    const byOutcome = Object.fromEntries(points('idem.requests').map((p) => [p.attributes['idem.outcome'], p.value]));
    expect(byOutcome).toEqual({ miss: 2, conflict: 1, hit: 2, mismatch: 1 });
    expect(points('idem.store.errors').map((p) => [p.attributes['idem.fail_open'], p.value])).toEqual([[true, 1]]);
    expect(points('idem.leases.lost').map((p) => p.value)).toEqual([1]);
    const durations = Object.fromEntries(
      points('idem.store.duration').map((p) => [
        `${p.attributes['idem.store.operation']}${p.attributes['error.type'] ? ' failed' : ''}`,
        (p.value as Histogram).count,
      ]),
    );
    // acquire: 5 HTTP requests + job-2; complete: pay-1 and job-2 (refused, which is no failure), and
    // the get that checks whether job-2's refused complete was its own earlier write.
    expect(durations).toEqual({ acquire: 6, 'acquire failed': 1, complete: 2, get: 1 });

    const spans = spanExporter.getFinishedSpans();
    expect(spans.filter((s) => s.name === 'idem.store acquire')).toHaveLength(7);
    const failed = spans.filter((s) => s.status.code === SpanStatusCode.ERROR);
    expect(failed.map((s) => s.name)).toEqual(['idem.store acquire']);
    expect(failed[0]!.events.map((e) => e.name)).toEqual(['exception']);
    expect(hits).toEqual(['pay-1', 'pay-1']);
  });
});

/** The store's methods as own properties, so one can be replaced by spreading. */
function bound(store: MemoryStore): IdempotencyStore {
  return {
    acquire: (...args) => store.acquire(...args),
    complete: (...args) => store.complete(...args),
    release: (...args) => store.release(...args),
    extend: (...args) => store.extend(...args),
    get: (...args) => store.get(...args),
    delete: (...args) => store.delete(...args),
    close: async () => undefined,
  };
}
