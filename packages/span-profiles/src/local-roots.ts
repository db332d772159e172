/**
 * Local roots: the first span a process creates for a piece of work (no parent, or a parent that arrived
 * over the wire). Each owns a span profile: it gets `pyroscope.profile.id` = its own span id, and every span
 * started below it in this process maps back to it, so that whichever span's context is entered, samples
 * are labelled with the *root's* id and name. The names are otel-profiling-go's, so Grafana links alike.
 */
import { trace, type Context, type Span as ApiSpan } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

export const PROFILE_ID_ATTRIBUTE = 'pyroscope.profile.id';
export const SPAN_ID_LABEL = 'span_id';
export const SPAN_NAME_LABEL = 'span_name';

/**
 * The pprof labels of every sample taken in a local root's context. No `trace_id`: Pyroscope up to 2.0
 * makes every sample label except `span_id` a series label, so a trace id would be one series per request.
 */
export interface SpanProfileLabels {
  readonly [SPAN_ID_LABEL]: string;
  /** Read when the profile is serialised, so a later rename of the root (e.g. to `CarHandler`) shows. */
  readonly [SPAN_NAME_LABEL]: string;
}

export interface LocalRoot {
  readonly span: Span;
  /** The profiler's sample context: one object per root, so re-entering it is recognised by identity. */
  readonly profilerContext: { readonly labels: SpanProfileLabels };
  /** Set by `nameLocalRoot`; applied to the span just before it ends, after instrumentations renamed it. */
  name: string | undefined;
}

const rootOfSpan = new WeakMap<object, LocalRoot>();

/** The local root a span belongs to, or undefined for spans no `LocalRootSpanProcessor` saw. */
export function localRootOf(span: ApiSpan | undefined): LocalRoot | undefined {
  return span === undefined ? undefined : rootOfSpan.get(span);
}

/** The span profile labels of a span's local root (its `span_id` and `span_name`), or undefined. */
export function localRootLabels(span: ApiSpan | undefined): SpanProfileLabels | undefined {
  return localRootOf(span)?.profilerContext.labels;
}

/** The parent's local root; none when the parent is absent, remote, or a span we never saw. */
function inheritedRoot(parentContext: Context): LocalRoot | undefined {
  const parent = trace.getSpan(parentContext);
  return parent === undefined || parent.spanContext().isRemote ? undefined : localRootOf(parent);
}

/**
 * Maps every span to its local root. With `setProfileId` (what `startSpanProfiles` does when samples carry
 * span labels), local roots get `pyroscope.profile.id`; never set it when they do not: the link would be empty.
 */
export class LocalRootSpanProcessor implements SpanProcessor {
  constructor(private readonly options: { setProfileId?: boolean } = {}) {}

  onStart(span: Span, parentContext: Context): void {
    const inherited = inheritedRoot(parentContext);
    if (inherited !== undefined) {
      rootOfSpan.set(span, inherited);
      return;
    }
    const spanId = span.spanContext().spanId;
    const root: LocalRoot = {
      span,
      name: undefined,
      profilerContext: {
        labels: {
          span_id: spanId,
          get span_name() {
            return root.name ?? span.name;
          },
        },
      },
    };
    rootOfSpan.set(span, root);
    if (this.options.setProfileId === true) span.setAttribute(PROFILE_ID_ATTRIBUTE, spanId);
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
