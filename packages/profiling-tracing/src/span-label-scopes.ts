/**
 * How the profiler learns which span a sample belongs to.
 *
 * The wall profiler (`@datadog/pprof` `time`) attaches a "context" object to every sample it takes;
 * `@pyroscope/nodejs` turns `context.labels` into pprof sample labels. The question is which context
 * object is current when the sampling signal lands:
 *
 *  - `async-context` (correct): the context lives in AsyncContextFrame, the same per-continuation store
 *    that AsyncLocalStorage uses on Node 24. Entering a span's context runs the code inside
 *    `time.runWithContext(rootContext, …)`; every continuation created there (after `await`, in
 *    timers, promise callbacks, event emitters bound by OpenTelemetry) inherits it, and a concurrent
 *    request in another continuation never sees it.
 *  - `global` (the naive way, for comparison only): one process-wide context, set before the
 *    synchronous part of a callback and restored after it, as `@pyroscope/nodejs` `wrapWithLabels` does.
 *    Under concurrency, the code after an `await` runs with whatever request set the global last.
 *  - `off`: no span labels.
 */
import { time } from '@datadog/pprof';
import type { SpanProfileLabels } from './local-roots.js';

export interface ProfilerContext {
  labels?: SpanProfileLabels;
}

export interface SpanLabelScope {
  /** Runs `fn` with samples labelled by `context` (undefined: no span, no labels). */
  run<R>(context: ProfilerContext | undefined, fn: () => R): R;
}

const NO_SPAN: ProfilerContext = {};

export const asyncContextScope: SpanLabelScope = {
  run(context, fn) {
    if (!time.isStarted()) return fn(); // after the last profile was taken at shutdown
    const next = context ?? NO_SPAN;
    const current = time.getContext() as ProfilerContext | undefined;
    // entering the same root again (child spans, instrumentation callbacks) costs nothing
    if (current === next || (current === undefined && next === NO_SPAN)) return fn();
    return time.runWithContext(next, fn);
  },
};

export const globalScope: SpanLabelScope = {
  run(context, fn) {
    if (!time.isStarted()) return fn();
    const previous = time.getContext() as ProfilerContext | undefined;
    time.setContext(context ?? NO_SPAN);
    try {
      return fn();
    } finally {
      time.setContext(previous ?? NO_SPAN);
    }
  },
};

export const offScope: SpanLabelScope = {
  run(_context, fn) {
    return fn();
  },
};
