/**
 * The one place the demo reaches into OpenTelemetry's trace SDK private code, for two fixes the SDK has no
 * option for: `BatchSpanProcessor`'s queue (below) and span start times (`PreciseStartTimeProcessor`,
 * further down).
 *
 * The queue is the `_finishedSpans` array of `@opentelemetry/sdk-trace` 2.11.0 (behind `sdk-trace-base`, pinned exactly;
 * build/src/export/BatchSpanProcessorBase.js). The processor replaces the array at each export, so it is read
 * afresh every time.
 *
 * It stands in for an option the SDK does not have: when the queue is full, the SDK drops the *new* span (as
 * the OpenTelemetry spec's batching processor does) and says so only through `diag` (opentelemetry-js PR #3610),
 * silent by default. The demo drops the *oldest* instead and reports the count (span-delivery.ts), so a
 * backend that comes back gets the latest spans. test/sdk-trace-internals.test.ts checks the field on the
 * installed SDK and fails naming this module when an upgrade moves it.
 */
import type { Context, HrTime } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import type { BatchSpanProcessor, ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** The spans waiting for export in `processor`, as the live array; throws when an upgrade moved it. */
export function batchQueueOf(processor: BatchSpanProcessor): ReadableSpan[] {
  const queue = (processor as unknown as { _finishedSpans?: unknown })._finishedSpans;
  if (!Array.isArray(queue)) {
    throw new Error(
      'profiling-tracing: BatchSpanProcessor has no _finishedSpans array, which sdk-trace-internals.ts ' +
        'reaches for (written for @opentelemetry/sdk-trace 2.11.0): keep the SDK at 2.11.0, or update the module',
    );
  }
  return queue as ReadableSpan[];
}

/**
 * Span start times with sub-millisecond precision, so a server span no longer appears to end after its client
 * parent in another process (Jaeger UI: "clock skew adjustment disabled; not applying calculated delta").
 *
 * `@opentelemetry/sdk-trace` 2.11 starts a span at `Date.now()` — whole milliseconds — and ends it at that
 * start plus a high-resolution duration (build/src/Span.js, `_getTime`). Each span's start is thus early by
 * 0–1 ms, by a different amount in each process: a handler span that ends a few hundred microseconds before
 * its `RequestVehicle` parent can be drawn ending up to 1 ms after it. Upstream: open-telemetry/opentelemetry-js
 * issue #5019 and the open PR #5804 ("nanosecond precision of span start time"); this stands in for it.
 *
 * When a span starts without a start time given by its creator, `onStart` replaces its start with the
 * high-resolution time the SDK itself took at the same moment (`_performanceStartTime`, read in the Span's
 * constructor next to `Date.now()`), on the clock every process on the host reads alike
 * (`performance.timeOrigin + performance.now()`). The SDK computes the end as `startTime` plus the time
 * elapsed since `_performanceStartTime`, so the end becomes that clock's reading at the end: start and end
 * stay consistent. The SDK anchors on `Date.now()` because the high-resolution clock can drift from the
 * system clock (a suspended laptop, a stepped clock); where the two differ by more than 5 ms the SDK's start
 * is kept. (Less than that is kept on the precise clock for every span alike: mixing the two clocks span by
 * span would misplace children more than either clock does.)
 *
 * This reads the Span's private `_performanceStartTime` and writes its `startTime`, which its type marks
 * readonly. The test (test/span-start-times.test.ts) checks that starts gain precision, that they are the
 * moment the span was started, and that end − start is still the span's measured duration, so an upgrade
 * that changes any of it fails loudly.
 */
const NS_PER_MS = 1_000_000n;
/** How far the high-resolution clock may be from `Date.now()` and still be trusted. */
const MAX_DRIFT_NS = 5n * NS_PER_MS;

/** Exact nanoseconds (a float loses them: epoch nanoseconds are past 2^53). */
const nanoseconds = ([seconds, nanos]: HrTime): bigint => BigInt(seconds) * 1_000_000_000n + BigInt(nanos);

export class PreciseStartTimeProcessor implements SpanProcessor {
  onStart(span: Span, _parentContext: Context): void {
    const sdkStart = nanoseconds(span.startTime);
    // a start already precise (given by the span's creator, or a fixed SDK): leave it
    if (sdkStart % NS_PER_MS !== 0n) return;
    const performanceStart = (span as unknown as { _performanceStartTime?: unknown })._performanceStartTime;
    if (typeof performanceStart !== 'number') return; // an SDK that moved it: the test says so
    const precise = hrTime(performanceStart);
    const ahead = nanoseconds(precise) - sdkStart;
    // Date.now() is the same moment rounded down, so the precise time is up to 1 ms later, plus however far
    // the two clocks have drifted apart; a start given by the creator for another moment is kept too
    if (ahead <= -MAX_DRIFT_NS || ahead >= NS_PER_MS + MAX_DRIFT_NS) return;
    (span as { startTime: HrTime }).startTime = precise;
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
