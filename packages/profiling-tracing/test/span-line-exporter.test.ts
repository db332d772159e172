import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SpanLineExporter } from '../src/span-line-exporter.js';

test('DEBUG_TRACER prints one compact line per span with ids, name, duration, status and profile id', () => {
  const written: string[] = [];
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'rideshare', region: 'eu-north' }),
    spanProcessors: [new SimpleSpanProcessor(new SpanLineExporter((text) => void written.push(text)))],
  });
  const tracer = provider.getTracer('t');
  const root = tracer.startSpan('CarHandler', { kind: SpanKind.SERVER });
  root.setAttribute('pyroscope.profile.id', root.spanContext().spanId);
  const child = tracer.startSpan('FindNearestVehicle', {}, trace.setSpan(context.active(), root));
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'no car' });
  child.end();
  root.setStatus({ code: SpanStatusCode.OK });
  root.end();

  const lines = written.join('').split('\n').filter(Boolean);
  assert.equal(lines.length, 2, 'one line per span');
  const { traceId, spanId } = root.spanContext();
  const childId = child.spanContext().spanId;
  assert.match(
    lines[0]!,
    new RegExp(
      `^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} rideshare trace=${traceId} span=${childId} parent=${spanId} ` +
        'FindNearestVehicle \\d+\\.\\dms ERROR\\("no car"\\)$',
    ),
  );
  assert.match(
    lines[1]!,
    new RegExp(
      `^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} rideshare trace=${traceId} span=${spanId} parent=- CarHandler ` +
        `\\d+\\.\\dms OK profile=${spanId}$`,
    ),
  );
});
