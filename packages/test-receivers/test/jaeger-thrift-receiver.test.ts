import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ROOT_CONTEXT, trace, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { JaegerExporter } from '@opentelemetry/exporter-jaeger';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  RandomIdGenerator,
  SimpleSpanProcessor,
  type IdGenerator,
} from '@opentelemetry/sdk-trace-base';
import {
  NO_PARENT_SPAN_ID,
  encodeJaegerBatch,
  startJaegerReceiver,
  type JaegerReceiver,
} from '../src/index.js';
import { post } from './http-helpers.js';

/** Ids with the top bit set, to catch signed/unsigned mistakes in the i64 → hex conversion. */
class HighBitIdGenerator implements IdGenerator {
  #n = 0;
  #traces = 0;
  #random = new RandomIdGenerator();
  generateTraceId(): string {
    return this.#traces++ === 0 ? 'f0e1d2c3b4a5968778695a4b3c2d1e0f' : this.#random.generateTraceId();
  }
  generateSpanId(): string {
    this.#n++;
    return this.#n === 1
      ? '8000000000000001'
      : this.#n === 2
        ? 'ffffffffffffff00'
        : this.#random.generateSpanId();
  }
}

describe('jaeger receiver + real @opentelemetry/exporter-jaeger', () => {
  let receiver: JaegerReceiver;
  before(async () => {
    receiver = await startJaegerReceiver();
  });
  after(async () => {
    await receiver.close();
  });
  beforeEach(() => receiver.clear());

  function makeProvider(idGenerator?: IdGenerator) {
    const memory = new InMemorySpanExporter();
    // flushTimeout: the exporter's shutdown leaves an un-cleared timer of this length that keeps the process alive.
    const jaeger = new JaegerExporter({
      endpoint: receiver.endpoint,
      flushTimeout: 300,
      tags: [{ key: 'hostname', value: 'test-host' }],
    });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'receiver-test', 'deployment.environment': 'test' }),
      spanProcessors: [new SimpleSpanProcessor(memory), new SimpleSpanProcessor(jaeger)],
      ...(idGenerator ? { idGenerator } : {}),
    });
    return { provider, memory, tracer: provider.getTracer('receiver-test-scope', '1.2.3') };
  }

  function parentChild(tracer: Tracer) {
    const parent = tracer.startSpan('OrderVehicle', { kind: SpanKind.SERVER });
    parent.setAttributes({
      'attr.string': 'eu-north',
      'attr.int': 42,
      'attr.double': 3.25,
      'attr.bool': true,
      'attr.false': false,
      'attr.array': ['a', 'b'],
    });
    const child = tracer.startSpan('FindNearestVehicle', {}, trace.setSpan(ROOT_CONTEXT, parent));
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'no car' });
    child.addEvent('checked', { 'driver.count': 3 });
    child.end();
    const linked = tracer.startSpan('Linked', { links: [{ context: parent.spanContext() }] }, ROOT_CONTEXT);
    linked.end();
    parent.end();
    return { parent, child, linked };
  }

  it('decodes ids, parent ids, tags, service name, times and links exactly as the SDK reports them', async () => {
    const { provider, memory, tracer } = makeProvider(new HighBitIdGenerator());
    const { parent, child, linked } = parentChild(tracer);
    await provider.forceFlush();
    await receiver.waitFor((r) => r.spans.length >= 3, { timeoutMs: 3_000 });
    const sdkParent = memory.getFinishedSpans().find((s) => s.name === 'OrderVehicle')!;
    await provider.shutdown();

    assert.equal(receiver.errors.length, 0, receiver.errors.join('\n'));
    assert.equal(receiver.spans.length, 3);
    const byName = (n: string) => {
      const s = receiver.spansNamed(n);
      assert.equal(s.length, 1, `one span named ${n}`);
      return s[0]!;
    };
    const p = byName('OrderVehicle');
    const c = byName('FindNearestVehicle');
    const l = byName('Linked');

    assert.equal(p.traceId, 'f0e1d2c3b4a5968778695a4b3c2d1e0f');
    assert.equal(p.traceId, parent.spanContext().traceId);
    assert.equal(p.spanId, '8000000000000001');
    assert.equal(p.spanId, parent.spanContext().spanId);
    assert.equal(p.parentSpanId, NO_PARENT_SPAN_ID);
    assert.equal(c.traceId, child.spanContext().traceId);
    assert.equal(c.spanId, 'ffffffffffffff00');
    assert.equal(c.spanId, child.spanContext().spanId);
    assert.equal(c.parentSpanId, parent.spanContext().spanId);
    assert.equal(l.traceId, linked.spanContext().traceId);
    assert.notEqual(l.traceId, p.traceId);
    assert.deepEqual(l.references, [
      { refType: 'FOLLOWS_FROM', traceId: parent.spanContext().traceId, spanId: parent.spanContext().spanId },
    ]);
    assert.deepEqual(
      receiver
        .trace(p.traceId)
        .map((s) => s.operationName)
        .sort(),
      ['FindNearestVehicle', 'OrderVehicle'],
    );

    // Tag values of each type (the exporter sends every number as a Thrift DOUBLE).
    assert.equal(p.tags['attr.string'], 'eu-north');
    assert.equal(p.tags['attr.int'], 42);
    assert.equal(p.tags['attr.double'], 3.25);
    assert.equal(p.tags['attr.bool'], true);
    assert.equal(p.tags['attr.false'], false);
    assert.equal(p.tags['attr.array'], 'a,b');
    assert.equal(p.tags['span.kind'], 'server');
    assert.equal(p.tags['otel.library.name'], 'receiver-test-scope');
    assert.equal(c.tags['otel.status_code'], 'ERROR');
    assert.equal(c.tags['otel.status_description'], 'no car');
    assert.equal(c.tags['error'], true);
    assert.equal(c.logs.length, 1);
    assert.equal(c.logs[0]!.fields['event'], 'checked');
    assert.equal(c.logs[0]!.fields['driver.count'], 3);

    // Process (resource).
    // serviceName comes from the first exported span's service.name; process tags only from the exporter's `tags`.
    assert.equal(p.process.serviceName, 'receiver-test');
    assert.deepEqual(p.process.tags, { hostname: 'test-host' });
    assert.equal(p.tags['service.name'], 'receiver-test');
    assert.equal(p.tags['deployment.environment'], 'test');

    // Times: the SDK's hrtime in microseconds, truncated (jaeger-client's node-int64 drops the fraction).
    const micros = (t: [number, number]) => Math.floor(t[0] * 1e6 + t[1] / 1e3);
    assert.equal(p.startTimeMicros, micros(sdkParent.startTime));
    assert.equal(p.durationMicros, micros(sdkParent.duration));
    assert.ok(Math.abs(p.startTimeMicros / 1000 - Date.now()) < 60_000, 'start time is now-ish');
    assert.equal(receiver.requestLog[0]!.headers['content-type'], 'application/x-thrift');
    assert.equal(receiver.requestLog[0]!.status, 202);
  });

  it('decodes random ids from the default generator', async () => {
    const { provider, tracer } = makeProvider();
    const spans = Array.from({ length: 5 }, (_, i) => tracer.startSpan(`s${i}`));
    spans.forEach((s) => s.end());
    await provider.shutdown();
    await receiver.waitFor((r) => r.spans.length === 5);
    for (const s of spans) {
      const got = receiver.spans.find((d) => d.spanId === s.spanContext().spanId);
      assert.ok(got, `span ${s.spanContext().spanId} received`);
      assert.equal(got.traceId, s.spanContext().traceId);
      assert.match(got.traceId, /^[0-9a-f]{32}$/);
    }
  });

  it('decodes LONG and BINARY tags (not produced by the OTel exporter), including negative i64', async () => {
    const i64 = (n: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(n);
      return b;
    };
    const body = encodeJaegerBatch({
      process: { serviceName: 'raw', tags: [{ key: 'hostname', vType: 'STRING', vStr: 'h1' }] },
      spans: [
        {
          traceIdLow: i64(-1n),
          traceIdHigh: i64(0n),
          spanId: i64(1n),
          parentSpanId: i64(2n),
          operationName: 'raw-op',
          flags: 1,
          startTime: i64(1_700_000_000_000_000n),
          duration: i64(1234n),
          tags: [
            { key: 'neg', vType: 'LONG', vLong: i64(-5n) },
            { key: 'big', vType: 'LONG', vLong: i64(2n ** 60n) },
            { key: 'bin', vType: 'BINARY', vBinary: Buffer.from([0xde, 0xad]) },
          ],
        },
      ],
    });
    const res = await post(receiver.endpoint, body, { 'content-type': 'application/x-thrift' });
    assert.equal(res.status, 202);
    const s = receiver.spans[0]!;
    assert.equal(s.traceId, '0000000000000000ffffffffffffffff');
    assert.equal(s.spanId, '0000000000000001');
    assert.equal(s.parentSpanId, '0000000000000002');
    assert.equal(s.startTimeMicros, 1_700_000_000_000_000);
    assert.equal(s.durationMicros, 1234);
    assert.deepEqual(s.tags, { neg: -5, big: (2n ** 60n).toString(), bin: 'dead' });
    assert.deepEqual(s.process, { serviceName: 'raw', tags: { hostname: 'h1' } });
  });

  it('answers 400 and records an error for an undecodable body or wrong content-type', async () => {
    const bad = await post(receiver.endpoint, Buffer.from('definitely not thrift'), {
      'content-type': 'application/x-thrift',
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /cannot decode Thrift Batch/);
    const json = await post(receiver.endpoint, '{}', { 'content-type': 'application/json' });
    assert.equal(json.status, 400);
    assert.equal(receiver.errors.length, 2);
    assert.equal(receiver.spans.length, 0);
    assert.equal(receiver.requests, 2);
  });

  it('the real exporter sees injected failures (503) and its spans are not recorded; then recovers', async () => {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
    provider.getTracer('t').startSpan('retry-me').end();
    const spans = memory.getFinishedSpans();
    const exporter = new JaegerExporter({ endpoint: receiver.endpoint, flushTimeout: 300 });
    const exportOnce = () => new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
    receiver.setBehaviour({ status: 503 });
    const failed = await exportOnce();
    assert.equal(failed.code, ExportResultCode.FAILED);
    assert.equal(receiver.spans.length, 0);
    assert.equal(receiver.requests, 1);
    receiver.setBehaviour({});
    const ok = await exportOnce();
    assert.equal(ok.code, ExportResultCode.SUCCESS);
    assert.deepEqual(
      receiver.spans.map((x) => x.spanId),
      [spans[0]!.spanContext().spanId],
    );
    await exporter.shutdown();
    await provider.shutdown();
  });
});
