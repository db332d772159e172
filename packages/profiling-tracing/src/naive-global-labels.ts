/**
 * The naive way to label profile samples with spans, kept only to measure ours against
 * (PYROSCOPE_SPAN_LABELS=global, the bench's "naive" runs); not part of pyroscope-span-profiles.
 *
 * One process-wide label set, set when a span's context is entered and restored after the synchronous part
 * of the callback, as `@pyroscope/nodejs` `wrapWithLabels` does. Under concurrency, the code after an `await`
 * runs with whatever request set the labels last, so many samples carry another request's span id.
 */
import { trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { time } from '@datadog/pprof';
import { localRootLabels } from 'pyroscope-span-profiles';

export class GlobalLabelContextManager extends AsyncLocalStorageContextManager {
  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    if (!time.isStarted()) return super.with(ctx, fn, thisArg, ...args);
    const previous = (time.getContext() as object | undefined) ?? {};
    const labels = localRootLabels(trace.getSpan(ctx));
    time.setContext(labels === undefined ? {} : { labels });
    try {
      return super.with(ctx, fn, thisArg, ...args);
    } finally {
      time.setContext(previous);
    }
  }
}
