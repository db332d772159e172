/**
 * The OpenTelemetry context manager, extended so that entering a span's context also enters its local
 * root's profiler context. Every way OpenTelemetry activates a span goes through `with`:
 * `startActiveSpan`, `context.with`, and `context.bind` (used for callbacks and event emitters).
 */
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Context } from '@opentelemetry/api';
import { localRootOfContext } from './local-roots.js';
import type { SpanLabelScope } from './span-label-scopes.js';

export class SpanProfileContextManager extends AsyncLocalStorageContextManager {
  constructor(private readonly scope: SpanLabelScope) {
    super();
  }

  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.scope.run(localRootOfContext(ctx)?.profilerContext, () =>
      super.with(ctx, fn, thisArg, ...args),
    );
  }
}
