/**
 * Span start times with sub-millisecond precision, so a server span no longer appears to end after its client
 * parent in another process (Jaeger UI: "clock skew adjustment disabled; not applying calculated delta").
 *
 * `@opentelemetry/sdk-trace` 2.11 starts a span at `Date.now()` — whole milliseconds — and ends it at that
 * start plus a high-resolution duration (build/src/Span.js, `_getTime`). Each span's start is thus early by
 * 0–1 ms, by a different amount in each process: a handler span that ends a few hundred microseconds before
 * its `RequestVehicle` parent can be drawn ending up to 1 ms after it. Upstream: open-telemetry/opentelemetry-js
 * issue #5019 and the open PR #5804 ("nanosecond precision of span start time"); this module stands in for it.
 *
 * When a span starts without a start time given by its creator, `onStart` replaces its start with the
 * high-resolution clock (`performance.timeOrigin + performance.now()`), which every process on the host reads
 * from the same monotonic clock. The SDK computes the end from `span.startTime`, so start and end stay
 * consistent. The SDK anchors on `Date.now()` because the high-resolution clock can drift from the system
 * clock (a suspended laptop); where the two differ by more than the millisecond `Date.now()` rounds away, the
 * SDK's start is kept.
 *
 * This writes the `startTime` field of the SDK's Span, which its type marks readonly: the package test
 * checks that the start gains precision and that end − start is still the span's measured duration, so an
 * upgrade that changes either fails loudly.
 */
import type { Context, HrTime } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

const NS_PER_MS = 1_000_000n;

/** Exact nanoseconds (a float loses them: epoch nanoseconds are past 2^53). */
const nanoseconds = ([seconds, nanos]: HrTime): bigint => BigInt(seconds) * 1_000_000_000n + BigInt(nanos);

export class PreciseStartTimeProcessor implements SpanProcessor {
  onStart(span: Span, _parentContext: Context): void {
    const sdkStart = nanoseconds(span.startTime);
    // a start already precise (given by the span's creator, or a fixed SDK): leave it
    if (sdkStart % NS_PER_MS !== 0n) return;
    const precise = hrTime();
    const ahead = nanoseconds(precise) - sdkStart;
    // Date.now() is the precise time rounded down: the precise one is up to 1 ms later, never earlier; a
    // whole-millisecond start given by the creator for another moment fails this test too and is kept
    if (ahead < 0n || ahead >= NS_PER_MS + 200_000n) return;
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
