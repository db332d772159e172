import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { execFileSync } from 'node:child_process';
import { startJaegerReceiver } from '@rideshare/test-receivers';
import { JaegerProcessExporter } from '../src/jaeger-process-exporter.js';
import { ConnectionAttributesDroppingExporter } from '../src/connection-attributes.js';
import { loadConfig } from '../src/config.js';
import {
  chosenExporters,
  exporterAddress,
  spanDestinations,
  traceExportProcessors,
} from '../src/trace-exporters.js';
import { SpanLineExporter } from '../src/span-line-exporter.js';
import { DropOldestBatchSpanProcessor, ReportingSpanExporter } from '../src/span-delivery.js';

const configOf = (env: Record<string, string>) => loadConfig({ serviceName: 'svc' }, env);

test('OTLP by default, batched, with reported failures and a bounded queue', () => {
  assert.deepEqual(chosenExporters(configOf({})), ['otlp']);
  const processors = traceExportProcessors(configOf({}));
  assert.equal(processors.length, 1);
  assert.ok(processors[0] instanceof BatchSpanProcessor);
  assert.ok(processors[0] instanceof DropOldestBatchSpanProcessor);
  const exporter = (processors[0] as unknown as { _exporter: unknown })._exporter;
  assert.ok(exporter instanceof ReportingSpanExporter);
  assert.ok(exporter.inner instanceof ConnectionAttributesDroppingExporter);
  assert.ok(exporter.inner.inner instanceof OTLPTraceExporter);
  const kept = traceExportProcessors(configOf({ TRACE_CONNECTION_ATTRIBUTES: 'keep' }))[0];
  const keptExporter = (kept as unknown as { _exporter: ReportingSpanExporter })._exporter;
  assert.ok(keptExporter.inner instanceof OTLPTraceExporter, 'keep: every attribute is sent');
  const jaeger = traceExportProcessors(configOf({ OTEL_TRACES_EXPORTER: 'jaeger' }))[0];
  const jaegerExporter = (jaeger as unknown as { _exporter: ReportingSpanExporter })._exporter;
  assert.ok(jaegerExporter.inner instanceof ConnectionAttributesDroppingExporter);
  assert.ok(jaegerExporter.inner.inner instanceof JaegerProcessExporter);
});

test('each exporter is loaded only when chosen: exporter-jaeger at its first export, the OTLP one with its processor', () => {
  // in a fresh process, as the module cache of this one already holds everything the tests import
  const script = `
    import { createRequire } from 'node:module';
    const { loadConfig } = await import(${JSON.stringify(new URL('../src/config.js', import.meta.url).href)});
    const { traceExportProcessors } = await import(${JSON.stringify(new URL('../src/trace-exporters.js', import.meta.url).href)});
    const loaded = (name) => Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes(name));
    const processors = traceExportProcessors(loadConfig({ serviceName: 's' }, { OTEL_TRACES_EXPORTER: process.env.EXPORTER }));
    const before = loaded('exporter-jaeger');
    // the first export with a span builds the Jaeger exporter (the OTLP one would try to send: not here)
    const span = { resource: { attributes: { 'service.name': 's' } } };
    if (process.env.EXPORTER === 'jaeger') processors[0]._exporter.inner.inner.export([span], () => undefined);
    console.log(JSON.stringify({ before, after: loaded('exporter-jaeger'), otlp: loaded('exporter-trace-otlp-proto') }));
    process.exit(0);`;
  const run = (exporter: string) =>
    JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, EXPORTER: exporter },
        encoding: 'utf8',
      }),
    ) as { before: boolean; after: boolean; otlp: boolean };
  assert.deepEqual(run('otlp'), { before: false, after: false, otlp: true });
  assert.deepEqual(run('jaeger'), { before: false, after: true, otlp: false });
  assert.deepEqual(run('console'), { before: false, after: false, otlp: false });
});

test('the address reported for each exporter', () => {
  const jaegerHttp = configOf({ OTEL_EXPORTER_JAEGER_ENDPOINT: 'http://jaeger:14268/api/traces' });
  assert.equal(exporterAddress('jaeger', jaegerHttp), 'http://jaeger:14268/api/traces');
  assert.equal(exporterAddress('jaeger', configOf({})), 'udp://localhost:6832');
  assert.equal(
    exporterAddress(
      'jaeger',
      configOf({ OTEL_EXPORTER_JAEGER_AGENT_HOST: 'agent', OTEL_EXPORTER_JAEGER_AGENT_PORT: '6831' }),
    ),
    'udp://agent:6831',
  );
  assert.equal(
    exporterAddress('otlp', configOf({}), { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }),
    'http://collector:4318/v1/traces',
  );
  assert.equal(exporterAddress('otlp', configOf({}), {}), 'http://localhost:4318/v1/traces');
});

test('DEBUG_TRACER=1 prints instead of sending, whatever OTEL_TRACES_EXPORTER says', () => {
  assert.deepEqual(chosenExporters(configOf({ DEBUG_TRACER: '1', OTEL_TRACES_EXPORTER: 'jaeger,otlp' })), [
    'console',
  ]);
  const [processor] = traceExportProcessors(configOf({ DEBUG_TRACER: 'true' }));
  assert.ok(processor instanceof SimpleSpanProcessor);
  assert.ok((processor as unknown as { _exporter: unknown })._exporter instanceof SpanLineExporter);
});

test('OTEL_TRACES_EXPORTER picks each exporter; none gives no processor', () => {
  const made: string[] = [];
  const factories = {
    jaeger: () => (made.push('jaeger'), new InMemorySpanExporter()),
    otlp: () => (made.push('otlp'), new InMemorySpanExporter()),
    console: () => (made.push('console'), new InMemorySpanExporter()),
  };
  assert.equal(
    traceExportProcessors(configOf({ OTEL_TRACES_EXPORTER: 'otlp,console' }), factories).length,
    2,
  );
  assert.deepEqual(made, ['otlp', 'console']);
  assert.deepEqual(traceExportProcessors(configOf({ OTEL_TRACES_EXPORTER: 'none' }), factories), []);
});

test('Jaeger Thrift: resource attributes in the Process, once; a span keeps its own tags (less the connection ones) and service.name', async (t) => {
  const jaeger = await startJaegerReceiver();
  t.after(() => jaeger.close());
  const resource = resourceFromAttributes({
    'service.name': 'rideshare',
    region: 'eu-north',
    'host.name': 'box-1',
    'process.pid': 4242,
    'process.runtime.name': 'nodejs',
    'process.command_args': ['node', 'main.js'],
  });
  const exporter = new ConnectionAttributesDroppingExporter(
    new JaegerProcessExporter({ endpoint: jaeger.endpoint }),
  );
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('rideshare', '0.1.0');
  const span = tracer.startSpan('CarHandler', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.route': '/car',
      'network.peer.address': '127.0.0.1',
      'network.peer.port': 51234,
      'user_agent.original': 'node',
    },
  });
  span.end();
  await provider.forceFlush();
  await jaeger.waitFor((r) => r.spans.length === 1, { timeoutMs: 3000 });
  await provider.shutdown();
  const [batch] = jaeger.batches;
  assert.equal(batch!.process.serviceName, 'rideshare');
  assert.deepEqual(batch!.process.tags, {
    region: 'eu-north',
    'host.name': 'box-1',
    'process.pid': 4242,
    'process.runtime.name': 'nodejs',
    'process.command_args': '["node","main.js"]',
  });
  const tags = jaeger.spans[0]!.tags;
  assert.deepEqual(Object.keys(tags).sort(), [
    'http.route',
    'otel.library.name',
    'otel.library.version',
    'service.name',
    'span.kind',
  ]);
  assert.equal(tags['otel.library.version'], '0.1.0');
  assert.equal(tags['service.name'], 'rideshare', "what Grafana's profile selector reads");
});

test('DEBUG_TRACER prints one line per span; DEBUG_TRACER=full keeps the SDK dump', () => {
  const line = traceExportProcessors(configOf({ DEBUG_TRACER: '1' }));
  assert.ok((line[0] as unknown as { _exporter: unknown })._exporter instanceof SpanLineExporter);
  const full = traceExportProcessors(configOf({ DEBUG_TRACER: 'full' }));
  assert.ok((full[0] as unknown as { _exporter: unknown })._exporter instanceof ConsoleSpanExporter);
  assert.throws(() => configOf({ DEBUG_TRACER: 'loud' }), /DEBUG_TRACER="loud"/);
});

test('where spans go is said once at start, and whether a failure could be noticed', () => {
  assert.deepEqual(spanDestinations(configOf({}), {}), [
    'spans go to OTLP (HTTP/protobuf) at http://localhost:4318/v1/traces; failures are reported',
  ]);
  assert.deepEqual(spanDestinations(configOf({ OTEL_TRACES_EXPORTER: 'jaeger' }), {}), [
    'spans go to a Jaeger agent over UDP at udp://localhost:6832: UDP gets no answer, so if nothing ' +
      'listens there the spans are lost without an error; set OTEL_EXPORTER_JAEGER_ENDPOINT ' +
      '(e.g. http://localhost:14268/api/traces) to send over HTTP, where failures are reported',
  ]);
  assert.deepEqual(
    spanDestinations(
      configOf({
        OTEL_TRACES_EXPORTER: 'jaeger,otlp',
        OTEL_EXPORTER_JAEGER_ENDPOINT: 'http://j:14268/api/traces',
      }),
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' },
    ),
    [
      'spans go to Jaeger (Thrift over HTTP) at http://j:14268/api/traces; failures are reported',
      'spans go to OTLP (HTTP/protobuf) at http://c:4318/v1/traces; failures are reported',
    ],
  );
  assert.deepEqual(spanDestinations(configOf({ DEBUG_TRACER: '1' }), {}), [
    'spans are printed to stdout, one line each (DEBUG_TRACER), and not sent anywhere',
  ]);
  assert.deepEqual(spanDestinations(configOf({ OTEL_TRACES_EXPORTER: 'none' }), {}), [
    'spans are not exported (OTEL_TRACES_EXPORTER=none)',
  ]);
});
