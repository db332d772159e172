// What the Jaeger UI and Grafana's Jaeger data source get from Jaeger v2's /api/traces for a span the apps
// export, in the two layouts the exporter can send:
// - `resource-in-span-tags`: @opentelemetry/exporter-jaeger 2.11 today copies every resource attribute into
//   the span's tags (build/src/transform.js, spanToThrift) and sends a Process with the service name only;
// - `resource-in-process`: the resource attributes in the Thrift Process (or an OTLP resource), span tags =
//   the span's own attributes.
// Jaeger v2 stores spans as OTLP and answers /api/traces through the collector's translator, whose
// resourceToJaegerProtoProcess (open-telemetry/opentelemetry-collector-contrib,
// pkg/translator/jaeger/traces_to_jaegerproto.go) moves `service.name` into process.serviceName and leaves it
// out of the process tags. Span attributes are kept as span tags, whatever their name.
import type { Attribute, UiSpan, Value } from './jaeger-links.js';

export type ExportLayout = 'resource-in-span-tags' | 'resource-in-process';

/** A span as the app's SDK holds it: its own attributes and its process's resource; times in µs. */
export interface ExportedSpan {
  spanID: string;
  name: string;
  startTime: number;
  duration: number;
  attributes: Record<string, Value>;
  resource: Record<string, Value>;
  parent?: ExportedSpan;
}

/** A span of /api/traces (Jaeger's JSON model): tags, and the process it references. */
export interface JaegerApiSpan {
  spanID: string;
  operationName: string;
  startTime: number;
  duration: number;
  tags: Attribute[];
  process: { serviceName: string; tags: Attribute[] };
  parent?: JaegerApiSpan;
}

const toAttributes = (record: Record<string, Value>): Attribute[] =>
  Object.entries(record).map(([key, value]) => ({ key, value }));

export function fromJaegerApi(span: ExportedSpan, layout: ExportLayout): JaegerApiSpan {
  const { 'service.name': serviceName = 'unknown_service', ...otherResource } = span.resource;
  const tags =
    layout === 'resource-in-span-tags'
      ? toAttributes({ ...span.attributes, ...span.resource })
      : toAttributes(span.attributes);
  return {
    spanID: span.spanID,
    operationName: span.name,
    startTime: span.startTime,
    duration: span.duration,
    tags,
    process: {
      serviceName: String(serviceName),
      tags: layout === 'resource-in-process' ? toAttributes(otherResource) : [],
    },
    ...(span.parent !== undefined && { parent: fromJaegerApi(span.parent, layout) }),
  };
}

/**
 * The Jaeger UI's model of that span (jaeger-ui OtelSpanFacade.ts: attributes = tags, resource.attributes =
 * process.tags, resource.serviceName = process.serviceName).
 */
export function asUiSpan(span: JaegerApiSpan): UiSpan {
  return {
    spanID: span.spanID,
    name: span.operationName,
    startTime: span.startTime,
    duration: span.duration,
    attributes: span.tags,
    resource: { serviceName: span.process.serviceName, attributes: span.process.tags },
    ...(span.parent !== undefined && { parentSpan: asUiSpan(span.parent) }),
  };
}
