import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { RootServiceNameProcessor } from '../src/root-service-name.js';

test('local roots carry service.name as a span attribute (Jaeger v2 drops it from process tags); children do not', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'rideshare' }),
    spanProcessors: [new RootServiceNameProcessor(), new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('t');
  const remote = trace.setSpanContext(context.active(), {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
  const handler = tracer.startSpan('CarHandler', {}, remote);
  tracer.startSpan('FindNearestVehicle', {}, trace.setSpan(context.active(), handler)).end();
  handler.end();
  tracer.startSpan('OrderVehicle').end();
  const byName = Object.fromEntries(exporter.getFinishedSpans().map((s) => [s.name, s.attributes]));
  assert.equal(byName['CarHandler']!['service.name'], 'rideshare');
  assert.equal(byName['OrderVehicle']!['service.name'], 'rideshare');
  assert.equal(byName['FindNearestVehicle']!['service.name'], undefined);
});
