/**
 * Local roots: the first span a process creates for a piece of work (no parent, or a parent that
 * arrived over the wire). Each local root owns a span profile:
 *   - the span gets attribute `pyroscope.profile.id` = its own span id (what Grafana/Jaeger link on);
 *   - every span started below it, in this process, is mapped back to it, so that whichever span's
 *     context is entered, the profiler can label samples with the *root's* id and name.
 */
import { trace, type Context, type Span as ApiSpan } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

export const PROFILE_ID_ATTRIBUTE = 'pyroscope.profile.id';

/** The pprof labels every sample taken in the root's context carries. */
export interface SpanProfileLabels {
  span_id: string;
  trace_id: string;
  /** Read when the profile is serialised, so a later rename of the root (e.g. to `CarHandler`) shows. */
  readonly span_name: string;
}

export interface LocalRoot {
  readonly span: Span;
  /**
   * What the profiler attaches to samples taken in this root's context: `{ labels }`, one object per
   * root, so that re-entering the same root (child spans, callbacks) is recognised by identity.
   */
  readonly profilerContext: { readonly labels: SpanProfileLabels };
  /** Set by `nameLocalRoot`; applied to the span just before it ends, after instrumentations renamed it. */
  name: string | undefined;
}

const rootOfSpan = new WeakMap<object, LocalRoot>();

/** The local root a span belongs to, or undefined for spans this processor never saw. */
export function localRootOf(span: ApiSpan | undefined): LocalRoot | undefined {
  return span === undefined ? undefined : rootOfSpan.get(span);
}

export function localRootOfContext(ctx: Context): LocalRoot | undefined {
  return localRootOf(trace.getSpan(ctx));
}

/**
 * The local root a new span belongs to through its parent, or `undefined` when the new span is a local root
 * itself: it has no parent, or its parent came from another process, or its parent is a span we never saw
 * (e.g. a non-recording span wrapped by hand), which cannot lend us a root.
 */
function inheritedRoot(parentContext: Context): LocalRoot | undefined {
  const parent = trace.getSpan(parentContext);
  return parent === undefined || parent.spanContext().isRemote ? undefined : localRootOf(parent);
}

export class LocalRootSpanProcessor implements SpanProcessor {
  constructor(private readonly options: { setProfileId: boolean } = { setProfileId: true }) {}

  onStart(span: Span, parentContext: Context): void {
    const inherited = inheritedRoot(parentContext);
    if (inherited !== undefined) {
      rootOfSpan.set(span, inherited);
      return;
    }
    const { spanId, traceId } = span.spanContext();
    const root: LocalRoot = {
      span,
      name: undefined,
      profilerContext: {
        labels: {
          span_id: spanId,
          trace_id: traceId,
          get span_name() {
            return root.name ?? span.name;
          },
        },
      },
    };
    rootOfSpan.set(span, root);
    if (this.options.setProfileId) span.setAttribute(PROFILE_ID_ATTRIBUTE, spanId);
  }

  onEnding(span: Span): void {
    const root = rootOfSpan.get(span);
    if (root !== undefined && root.span === span && root.name !== undefined) span.updateName(root.name);
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
