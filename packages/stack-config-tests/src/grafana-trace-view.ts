// How Grafana's trace view builds the embedded flame graph of a span from a Jaeger data source, re-implemented
// from grafana/grafana (12.x):
// - the span model: public/app/plugins/datasource/jaeger/responseTransform.ts toSpanRow — tags = the span's
//   tags, serviceName/serviceTags = its process's serviceName/tags (the trace view turns the times back into
//   µs, as here);
// - public/app/features/explore/TraceView/components/TraceTimelineViewer/SpanDetail/SpanFlameGraph.tsx: a
//   span whose own tags hold `pyroscope.profile.id` gets a flame graph queried with spanSelector [that value],
//   labelSelector = `{<getFormattedTags(span, tracesToProfiles.tags or the default service.name,
//   service.namespace)>}` (or the interpolated customQuery), over span start − 30 s … span end + 30 s;
// - public/app/features/explore/TraceView/createSpanLink.tsx getFormattedTags: every tag of
//   [...process.tags, ...span.tags, spanId, traceId, name, duration] whose key is mapped becomes
//   `<value ?? key>="<tag value>"`, joined by ", ". The process's serviceName is not among them, and there is no
//   variable holding it (scopedVarsFromSpan: __span.spanId/traceId/duration/name/tags; scopedVarsFromTrace).
import type { JaegerApiSpan } from './jaeger-api.js';

export const PROFILE_ID_TAG = 'pyroscope.profile.id';
const DEFAULT_PROFILING_KEYS = [
  { key: 'service.name', value: 'service_name' },
  { key: 'service.namespace', value: 'service_namespace' },
];

export interface TagMapping {
  key: string;
  value?: string;
}

export interface TracesToProfiles {
  datasourceUid?: string;
  profileTypeId?: string;
  tags?: TagMapping[];
  customQuery?: boolean;
  query?: string;
}

export interface FlameGraphQuery {
  labelSelector: string;
  spanSelector: string[];
  profileTypeId: string;
  queryType: 'profile';
  range: { fromMs: number; toMs: number };
}

export function getFormattedTags(span: JaegerApiSpan, traceId: string, tags: readonly TagMapping[]): string {
  return [
    ...span.process.tags,
    ...span.tags,
    { key: 'spanId', value: span.spanID },
    { key: 'traceId', value: traceId },
    { key: 'name', value: span.operationName },
    { key: 'duration', value: span.duration },
  ]
    .map((tag) => {
      const mapping = tags.find((m) => m.key === tag.key);
      return mapping ? `${mapping.value ? mapping.value : mapping.key}="${tag.value}"` : undefined;
    })
    .filter((v) => Boolean(v))
    .join(', ');
}

/** The embedded flame graph's query, or undefined when Grafana shows none for this span. */
export function embeddedFlameGraphQuery(
  span: JaegerApiSpan,
  traceId: string,
  options: TracesToProfiles,
): FlameGraphQuery | undefined {
  const profileId = span.tags.find((t) => t.key === PROFILE_ID_TAG)?.value;
  if (profileId === undefined || options.datasourceUid === undefined) return undefined;
  if (options.customQuery && options.query)
    throw new Error('customQuery: interpolation of Grafana variables is not re-implemented here');
  const tags = options.tags && options.tags.length > 0 ? options.tags : DEFAULT_PROFILING_KEYS;
  const startMs = span.startTime / 1000;
  return {
    labelSelector: `{${getFormattedTags(span, traceId, tags)}}`,
    spanSelector: [String(profileId)],
    profileTypeId: options.profileTypeId ?? '',
    queryType: 'profile',
    range: { fromMs: Math.floor(startMs) - 30_000, toMs: startMs + span.duration / 1000 + 30_000 },
  };
}
