/**
 * The OpenTelemetry context manager, extended so that entering a span's context also enters its local
 * root's profiler context. Every way OpenTelemetry activates a span goes through `with`:
 * `startActiveSpan`, `context.with`, and `context.bind` (used for callbacks and event emitters).
 *
 * The wall profiler (`@datadog/pprof` `time`, started with `useCPED`) keeps its sample context in
 * AsyncContextFrame, the per-continuation store AsyncLocalStorage uses on Node 24. Code run inside
 * `time.runWithContext(rootContext, …)`, and every continuation created there (after `await`, in timers,
 * promise callbacks, bound event emitters), is sampled with the root's labels; a concurrent request in
 * another continuation never sees them. `@pyroscope/nodejs` turns `context.labels` into pprof labels.
 */
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { trace, type Context } from '@opentelemetry/api';
import { time } from '@datadog/pprof';
import { localRootOf } from './local-roots.js';

/** The context of code outside any local root: samples without span labels. */
const NO_SPAN = {};

export class SpanProfileContextManager extends AsyncLocalStorageContextManager {
  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const enter = () => super.with(ctx, fn, thisArg, ...args);
    if (!time.isStarted()) return enter(); // after the last profile was taken at shutdown
    const next = localRootOf(trace.getSpan(ctx))?.profilerContext ?? NO_SPAN;
    const current: unknown = time.getContext();
    // entering the same root again (child spans, instrumentation callbacks) costs nothing
    if (current === next || (current === undefined && next === NO_SPAN)) return enter();
    return time.runWithContext(next, enter);
  }
}
