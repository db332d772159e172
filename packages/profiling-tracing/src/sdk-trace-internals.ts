/**
 * The one place the demo reaches into OpenTelemetry's trace SDK private code: `BatchSpanProcessor`'s queue,
 * the `_finishedSpans` array of `@opentelemetry/sdk-trace` 2.11.0 (behind `sdk-trace-base`, pinned exactly;
 * build/src/export/BatchSpanProcessorBase.js). The processor replaces the array at each export, so it is read
 * afresh every time.
 *
 * It stands in for an option the SDK does not have: when the queue is full, the SDK drops the *new* span (as
 * the OpenTelemetry spec's batching processor does) and says so only through `diag` (opentelemetry-js PR #3610),
 * silent by default. The demo drops the *oldest* instead and reports the count (span-delivery.ts), so a
 * backend that comes back gets the latest spans. test/sdk-trace-internals.test.ts checks the field on the
 * installed SDK and fails naming this module when an upgrade moves it.
 */
import type { BatchSpanProcessor, ReadableSpan } from '@opentelemetry/sdk-trace-base';

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
