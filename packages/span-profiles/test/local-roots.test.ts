import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, propagation, ROOT_CONTEXT, trace, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  LocalRootSpanProcessor,
  localRootLabels,
  localRootOf,
  PROFILE_ID_ATTRIBUTE,
  SPAN_ID_LABEL,
  SPAN_NAME_LABEL,
} from '../src/local-roots.js';
import { SpanProfileContextManager } from '../src/span-profile-context-manager.js';
import { nameLocalRoot } from '../src/name-local-root.js';

function setup({ setProfileId = true } = {}) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new LocalRootSpanProcessor({ setProfileId }), new SimpleSpanProcessor(exporter)],
  });
  // the profiler is not running here: the context manager only keeps OpenTelemetry's context
  context.setGlobalContextManager(new SpanProfileContextManager().enable());
  const finished = () => exporter.getFinishedSpans();
  const cleanup = () => {
    context.disable();
  };
  return { tracer: provider.getTracer('test'), finished, cleanup };
}

test('a span without parent is a local root and carries pyroscope.profile.id = its span id', async () => {
  const { tracer, finished, cleanup } = setup();
  try {
    await tracer.startActiveSpan('OrderVehicle', async (root) => {
      await tracer.startActiveSpan('RouteAndFare', async (child) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        tracer.startSpan('grandchild').end();
        child.end();
      });
      root.end();
    });
    const spans = finished();
    assert.equal(spans.length, 3);
    const root = spans.find((s) => s.name === 'OrderVehicle')!;
    assert.equal(root.attributes[PROFILE_ID_ATTRIBUTE], root.spanContext().spanId);
    for (const s of spans.filter((s) => s !== root)) {
      assert.equal(s.attributes[PROFILE_ID_ATTRIBUTE], undefined, `${s.name} must not carry a profile id`);
    }
  } finally {
    cleanup();
  }
});

test('a span whose parent is remote (extracted from traceparent) is a local root', () => {
  const { tracer, finished, cleanup } = setup();
  try {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const remote = new W3CTraceContextPropagator().extract(
      ROOT_CONTEXT,
      { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
      {
        get: (carrier, key) => (carrier as Record<string, string>)[key],
        keys: (c) => Object.keys(c as object),
      },
    );
    const handler = tracer.startSpan('CarHandler', {}, remote);
    context.with(trace.setSpan(remote, handler), () => tracer.startSpan('FindNearestVehicle').end());
    handler.end();
    const [child, server] = finished();
    assert.equal(server!.spanContext().traceId, traceId);
    assert.equal(server!.attributes[PROFILE_ID_ATTRIBUTE], server!.spanContext().spanId);
    assert.equal(child!.attributes[PROFILE_ID_ATTRIBUTE], undefined);
    assert.equal(localRootLabels(handler)?.span_id, handler.spanContext().spanId);
  } finally {
    cleanup();
    propagation.disable();
  }
});

test('children map to their local root; labels are the root id and name, and nothing else', async () => {
  const { tracer, cleanup } = setup();
  try {
    let rootSpan: Span | undefined;
    let childSpan: Span | undefined;
    await tracer.startActiveSpan('GET /car', async (root) => {
      rootSpan = root;
      await tracer.startActiveSpan('CheckDriverAvailability', async (child) => {
        childSpan = child;
        nameLocalRoot('CarHandler');
        child.end();
      });
      root.end();
    });
    const root = localRootOf(rootSpan)!;
    assert.equal(localRootOf(childSpan), root);
    assert.deepEqual(
      { ...root.profilerContext.labels },
      { span_id: rootSpan!.spanContext().spanId, span_name: 'CarHandler' },
      'no trace_id: Pyroscope <= 2.0 would make it a series label, one series per request',
    );
    assert.deepEqual(
      [SPAN_ID_LABEL, SPAN_NAME_LABEL],
      ['span_id', 'span_name'],
      'the names otel-profiling-go uses',
    );
    assert.equal(PROFILE_ID_ATTRIBUTE, 'pyroscope.profile.id');
  } finally {
    cleanup();
  }
});

test('nameLocalRoot wins over a rename made by instrumentation before the span ends', () => {
  const { tracer, finished, cleanup } = setup();
  try {
    tracer.startActiveSpan('GET', (server) => {
      nameLocalRoot('BikeHandler');
      server.updateName('GET /bike'); // what instrumentation-http does when the response finishes
      server.end();
    });
    assert.equal(finished()[0]!.name, 'BikeHandler');
  } finally {
    cleanup();
  }
});

test('without setProfileId (no span labels), local roots are mapped but carry no pyroscope.profile.id', () => {
  const { tracer, finished, cleanup } = setup({ setProfileId: false });
  try {
    tracer.startActiveSpan('OrderVehicle', (root) => {
      nameLocalRoot('Renamed');
      root.end();
    });
    const [root] = finished();
    assert.equal(root!.name, 'Renamed');
    assert.equal(root!.attributes[PROFILE_ID_ATTRIBUTE], undefined);
  } finally {
    cleanup();
  }
});
