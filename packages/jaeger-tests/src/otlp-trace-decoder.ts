/**
 * Decodes an OTLP/HTTP protobuf trace export (`ExportTraceServiceRequest`, what
 * @opentelemetry/exporter-trace-otlp-proto posts to /v1/traces) with protobufjs, from the schema below: the
 * fields this test reads, with the names and numbers of open-telemetry/opentelemetry-proto
 * (opentelemetry/proto/collector/trace/v1/trace_service.proto, trace/v1/trace.proto,
 * common/v1/common.proto, resource/v1/resource.proto). Fields left out are skipped by the decoder.
 */
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto3";
package otlp;

message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message Resource { repeated KeyValue attributes = 1; }
message ScopeSpans { repeated Span spans = 2; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  bytes parent_span_id = 4;
  string name = 5;
  repeated KeyValue attributes = 9;
}
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    bytes bytes_value = 7;
  }
}
`;

const request = protobuf.parse(SCHEMA, { keepCase: true }).root.lookupType('otlp.ExportTraceServiceRequest');

interface RawKeyValue {
  key: string;
  value?: { string_value?: string; bool_value?: boolean; int_value?: number; double_value?: number };
}
interface RawRequest {
  resource_spans?: {
    resource?: { attributes?: RawKeyValue[] };
    scope_spans?: {
      spans?: {
        trace_id: Uint8Array;
        span_id: Uint8Array;
        parent_span_id?: Uint8Array;
        name: string;
        attributes?: RawKeyValue[];
      }[];
    }[];
  }[];
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  /** Undefined for a span without parent (empty `parent_span_id`). */
  parentId: string | undefined;
  name: string;
  service: string;
  attributes: Map<string, string | boolean | number>;
}

export function decodeOtlpTraces(body: Uint8Array): OtlpSpan[] {
  const decoded = request.toObject(request.decode(body), { longs: Number, bytes: Array }) as RawRequest;
  const spans: OtlpSpan[] = [];
  for (const resourceSpans of decoded.resource_spans ?? []) {
    const resource = attributes(resourceSpans.resource?.attributes);
    const service = String(resource.get('service.name') ?? '');
    for (const scope of resourceSpans.scope_spans ?? []) {
      for (const span of scope.spans ?? []) {
        const parent = hex(span.parent_span_id);
        spans.push({
          traceId: hex(span.trace_id),
          spanId: hex(span.span_id),
          parentId: parent === '' ? undefined : parent,
          name: span.name,
          service,
          attributes: attributes(span.attributes),
        });
      }
    }
  }
  return spans;
}

function attributes(list: RawKeyValue[] | undefined): Map<string, string | boolean | number> {
  const map = new Map<string, string | boolean | number>();
  for (const { key, value } of list ?? []) {
    const v = value?.string_value ?? value?.bool_value ?? value?.double_value ?? value?.int_value;
    if (v !== undefined) map.set(key, v);
  }
  return map;
}

function hex(bytes: Uint8Array | number[] | undefined): string {
  return bytes === undefined ? '' : Buffer.from(bytes).toString('hex');
}
