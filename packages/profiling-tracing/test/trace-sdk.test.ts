/**
 * trace-sdk.ts does what NodeSDK.start() did for this demo: the resource (ours + env, process and host
 * detectors), the W3C propagators, OTEL_PROPAGATORS and OTEL_NODE_RESOURCE_DETECTORS by NodeSDK's rules, the
 * sampler and span limits from the environment (read by the trace SDK itself), and a shutdown that flushes
 * the processors and disables the instrumentations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { envDetector, hostDetector, processDetector } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { propagatorFromEnv, resourceDetectorsFromEnv, startTraceSdk } from '../src/trace-sdk.js';
import { recorder } from './report-recorder.js';

/** Runs `fn` with these variables set (undefined: unset), then puts the environment back. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T | Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

test('the SDK: resource, W3C propagation, processors in order, and a shutdown that unpatches', async () => {
  const exporter = new InMemorySpanExporter();
  const order: string[] = [];
  const named = (name: string) => ({
    onStart: () => void order.push(name),
    onEnd: () => {},
    forceFlush: async () => {},
    shutdown: async () => {},
  });
  const http = new HttpInstrumentation();
  const { lines, report } = recorder();
  const sdk = await withEnv(
    { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test', OTEL_PROPAGATORS: undefined },
    () =>
      startTraceSdk({
        attributes: { 'service.name': 'trace-sdk-test', region: 'eu-north' },
        contextManager: new AsyncLocalStorageContextManager(),
        spanProcessors: [named('first'), named('second'), new SimpleSpanProcessor(exporter)],
        instrumentations: [http],
        report,
      }),
  );
  assert.equal(lines.length, 0, JSON.stringify(lines));

  const tracer = trace.getTracer('test');
  const carrier: Record<string, string> = {};
  tracer.startActiveSpan('parent', (span) => {
    const withBaggage = propagation.setBaggage(
      context.active(),
      propagation.createBaggage({ tenant: { value: 't1' } }),
    );
    propagation.inject(withBaggage, carrier);
    span.end();
  });
  assert.deepEqual(order, ['first', 'second']);
  assert.match(carrier['traceparent'] ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  assert.equal(carrier['baggage'], 'tenant=t1');

  // the host detector's host.id is asynchronous: the processor exports once it is there
  await sdk.provider.forceFlush();
  const [span] = exporter.getFinishedSpans();
  await span!.resource.waitForAsyncAttributes?.();
  const attributes = span!.resource.attributes;
  assert.equal(attributes['service.name'], 'trace-sdk-test');
  assert.equal(attributes['region'], 'eu-north');
  assert.equal(attributes['deployment.environment.name'], 'test', 'env detector (OTEL_RESOURCE_ATTRIBUTES)');
  assert.equal(attributes['process.pid'], process.pid, 'process detector');
  assert.equal(attributes['process.runtime.name'], 'nodejs', 'process detector');
  assert.equal(typeof attributes['host.name'], 'string', 'host detector');

  assert.equal(http.isEnabled(), true);
  await sdk.shutdown();
  assert.equal(http.isEnabled(), false, 'instrumentations disabled at shutdown');
  tracer.startSpan('after shutdown').end();
  assert.equal(exporter.getFinishedSpans().length, 0, 'the exporter was shut down (and reset)');
});

test('OTEL_PROPAGATORS, by NodeSDK rules: default, none, one, several, unknown', async () => {
  const { lines, report } = recorder();
  const fields = async (value: string | undefined) =>
    withEnv({ OTEL_PROPAGATORS: value }, async () => {
      const propagator = await propagatorFromEnv(report);
      return propagator === undefined || propagator === null ? propagator : propagator.fields().sort();
    });
  assert.equal(await fields(undefined), undefined, 'unset: the default (W3C trace context + baggage)');
  assert.equal(await fields(' '), undefined, 'blank is unset');
  assert.equal(await fields('none'), null);
  assert.equal(await fields('tracecontext,none'), null, '`none` anywhere: none');
  assert.ok(
    (await withEnv({ OTEL_PROPAGATORS: 'tracecontext' }, () => propagatorFromEnv(report))) instanceof
      W3CTraceContextPropagator,
    'one name: that propagator itself',
  );
  assert.deepEqual(await fields('tracecontext,baggage,tracecontext'), [
    'baggage',
    'traceparent',
    'tracestate',
  ]);
  assert.deepEqual(await fields('b3'), ['b3']);
  assert.deepEqual(await fields('b3multi'), [
    'x-b3-flags',
    'x-b3-parentspanid',
    'x-b3-sampled',
    'x-b3-spanid',
    'x-b3-traceid',
  ]);
  assert.deepEqual(await fields('jaeger'), ['uber-trace-id']);
  assert.equal(lines.length, 0, JSON.stringify(lines));
  assert.equal(await fields('xray'), null, 'no name that exists: none');
  assert.deepEqual(await fields('xray,baggage'), ['baggage']);
  assert.equal(lines.length, 2);
  assert.match(lines[0]!.message, /OTEL_PROPAGATORS names an unknown propagator "xray"/);
});

test('OTEL_NODE_RESOURCE_DETECTORS, by NodeSDK rules: default env, process, host; all; none; a list', async () => {
  const { lines, report } = recorder();
  const detectors = (value: string | undefined) =>
    withEnv({ OTEL_NODE_RESOURCE_DETECTORS: value }, () => resourceDetectorsFromEnv(report));
  assert.deepEqual(await detectors(undefined), [envDetector, processDetector, hostDetector]);
  assert.equal((await detectors('all')).length, 5);
  assert.deepEqual(await detectors('none'), []);
  assert.deepEqual(await detectors('host, env'), [hostDetector, envDetector]);
  assert.equal(lines.length, 0, JSON.stringify(lines));
  assert.deepEqual(await detectors('host,cloud'), [hostDetector]);
  assert.match(lines[0]!.message, /unknown detector "cloud"/);
});

test('the trace SDK itself reads the sampler and span limits from the environment (NodeSDK passed them)', async () => {
  // trace-sdk.ts passes neither: this is what it relies on in sdk-trace-base 2.11
  await withEnv(
    {
      OTEL_TRACES_SAMPLER: 'always_off',
      OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '2',
    },
    () => {
      const off = new NodeTracerProvider().getTracer('t').startSpan('s');
      assert.equal(off.isRecording(), false, 'OTEL_TRACES_SAMPLER=always_off');
    },
  );
  await withEnv({ OTEL_TRACES_SAMPLER: undefined, OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '2' }, () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const span = provider.getTracer('t').startSpan('s', { attributes: { a: 1, b: 2, c: 3 } });
    assert.equal(span.isRecording(), true, 'default sampler: parent-based, always on');
    span.end();
    assert.equal(
      Object.keys(exporter.getFinishedSpans()[0]!.attributes).length,
      2,
      'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT',
    );
  });
});
