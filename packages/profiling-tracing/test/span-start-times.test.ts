import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import type { HrTime } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { PreciseStartTimeProcessor } from '../src/sdk-trace-internals.js';

const NS_PER_MS = 1_000_000;

function tracerWith(processors: ConstructorParameters<typeof BasicTracerProvider>[0]) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    ...processors,
    spanProcessors: [...(processors?.spanProcessors ?? []), new SimpleSpanProcessor(exporter)],
  });
  return { tracer: provider.getTracer('t'), exporter };
}

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

// nanoseconds since the process's time origin, exact (epoch nanoseconds do not fit a float)
const origin = BigInt(Math.round(performance.timeOrigin * 1e6));
const sinceOrigin = ([s, ns]: HrTime) => Number(BigInt(s) * 1_000_000_000n + BigInt(ns) - origin);
const startNs = (span: ReadableSpan) => sinceOrigin(span.startTime);
const endNs = (span: ReadableSpan) => sinceOrigin(span.endTime);
const subMs = (span: ReadableSpan) => span.startTime[1] % NS_PER_MS;

test('starts gain sub-millisecond precision; end − start stays the measured duration (fails if the SDK changes how it ends a span)', () => {
  const { tracer, exporter } = tracerWith({ spanProcessors: [new PreciseStartTimeProcessor()] });
  const precise: number[] = [];
  for (let i = 0; i < 20; i++) {
    const before = performance.now();
    const span = tracer.startSpan(`s${i}`);
    const started = performance.now();
    busy(0.3 + (i % 5) * 0.2);
    const ending = performance.now();
    span.end();
    const ended = performance.now();
    const done = exporter.getFinishedSpans().at(-1)!;
    precise.push(subMs(done));
    const slack = 50_000; // timeOrigin + now() rounding, in ns
    const durationNs = endNs(done) - startNs(done);
    assert.ok(durationNs >= (ending - started) * NS_PER_MS - slack, `span ${i}: ${durationNs} ns`);
    assert.ok(durationNs <= (ended - before) * NS_PER_MS + slack, `span ${i}: ${durationNs} ns`);
    const wall = (t: number) => t * NS_PER_MS;
    assert.ok(startNs(done) >= wall(before) - slack, `span ${i} starts after startSpan was called`);
    assert.ok(startNs(done) <= wall(started) + slack, `span ${i} starts before startSpan returned`);
  }
  assert.ok(precise.filter((ns) => ns !== 0).length >= 19, 'starts are not whole milliseconds any more');
});

test('without it, starts are whole milliseconds (what the processor exists for; fails once upstream fixes it)', () => {
  const { tracer, exporter } = tracerWith({});
  for (let i = 0; i < 5; i++) tracer.startSpan(`s${i}`).end();
  assert.deepEqual(exporter.getFinishedSpans().map(subMs), [0, 0, 0, 0, 0]);
});

test("a start time given by the span's creator is kept", () => {
  const { tracer, exporter } = tracerWith({ spanProcessors: [new PreciseStartTimeProcessor()] });
  const given = Date.UTC(2026, 0, 1, 12, 0, 0);
  tracer.startSpan('past', { startTime: given }).end(given + 5);
  const [span] = exporter.getFinishedSpans();
  assert.deepEqual(span!.startTime, [given / 1000, 0]);
  assert.deepEqual(span!.endTime, [given / 1000, 5 * NS_PER_MS]);
});

test('a child that starts after its parent ends before it (the cross-process skew, in one process)', () => {
  const { tracer, exporter } = tracerWith({ spanProcessors: [new PreciseStartTimeProcessor()] });
  let inside = 0;
  for (let i = 0; i < 50; i++) {
    const parent = tracer.startSpan('RequestVehicle');
    busy(0.05);
    const child = tracer.startSpan('CarHandler');
    busy(0.2);
    child.end();
    busy(0.02);
    parent.end();
    const [c, p] = exporter.getFinishedSpans().slice(-2);
    if (startNs(c!) >= startNs(p!) && endNs(c!) <= endNs(p!)) inside++;
  }
  assert.equal(inside, 50);
});
