/**
 * The OTLP trace messages, decoded and encoded by the protobufjs code that the OpenTelemetry JS project
 * generated from the official opentelemetry-proto files and shipped in `@opentelemetry/otlp-transformer`
 * up to 0.214 (`build/src/generated/root.js`; later versions replaced it by a hand-written encoder and ship
 * no decoder). Pinned here at 0.214.0, the last one on protobufjs 7 (the tree's copy), as a decoder only:
 * the apps and the SDK use the current otlp-transformer.
 *
 * `google.rpc.Status`, the body of an OTLP/HTTP error answer, is not in that file; it is declared here with
 * protobufjs's reflection API from google/rpc/status.proto (fields 1 `int32 code`, 2 `string message`;
 * 3 `repeated Any details` is never sent here).
 */
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);

/** What `toObject` of a generated message gives with `{ longs: String, bytes: String, oneofs: true }`. */
export interface RawAnyValue {
  value?:
    'stringValue' | 'boolValue' | 'intValue' | 'doubleValue' | 'arrayValue' | 'kvlistValue' | 'bytesValue';
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values?: RawAnyValue[] };
  kvlistValue?: { values?: RawKeyValue[] };
  bytesValue?: string;
}
export interface RawKeyValue {
  key: string;
  value?: RawAnyValue;
}
export interface RawSpan {
  /** base64 */
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  flags: number;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: RawKeyValue[];
  events: { timeUnixNano: string; name: string; attributes: RawKeyValue[] }[];
  links: { traceId: string; spanId: string; attributes: RawKeyValue[] }[];
  status?: { code: number; message: string };
}
export interface RawResourceSpans {
  resource?: { attributes: RawKeyValue[] };
  scopeSpans: { scope?: { name: string; version: string }; spans: RawSpan[] }[];
  schemaUrl: string;
}
export interface RawExportTraceServiceRequest {
  resourceSpans: RawResourceSpans[];
}

interface GeneratedType {
  decode(bytes: Uint8Array): object;
  encode(message: object): { finish(): Uint8Array };
  toObject(message: object, options: protobuf.IConversionOptions): Record<string, unknown>;
}
interface GeneratedRoot {
  opentelemetry: {
    proto: {
      collector: {
        trace: {
          v1: { ExportTraceServiceRequest: GeneratedType; ExportTraceServiceResponse: GeneratedType };
        };
      };
    };
  };
}

const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js') as GeneratedRoot;
const { ExportTraceServiceRequest, ExportTraceServiceResponse } = root.opentelemetry.proto.collector.trace.v1;

const rpcStatus = new protobuf.Type('Status')
  .add(new protobuf.Field('code', 1, 'int32'))
  .add(new protobuf.Field('message', 2, 'string'));
new protobuf.Root().define('google.rpc').add(rpcStatus);

/** Decodes an `ExportTraceServiceRequest`; throws on bytes that are not one. */
export function decodeExportTraceServiceRequest(bytes: Uint8Array): RawExportTraceServiceRequest {
  const message = ExportTraceServiceRequest.decode(bytes);
  return ExportTraceServiceRequest.toObject(message, {
    longs: String,
    bytes: String,
    enums: Number,
    oneofs: true,
    defaults: true,
    arrays: true,
  }) as unknown as RawExportTraceServiceRequest;
}

/** An `ExportTraceServiceResponse` (no partial success: everything was accepted). */
export function encodeExportTraceServiceResponse(): Buffer {
  return Buffer.from(ExportTraceServiceResponse.encode({}).finish());
}

/** Test helper: encodes an `ExportTraceServiceRequest` given as the generated code's plain object. */
export function encodeExportTraceServiceRequest(request: object): Buffer {
  return Buffer.from(ExportTraceServiceRequest.encode(request).finish());
}

export function encodeRpcStatus(code: number, message: string): Buffer {
  return Buffer.from(rpcStatus.encode(rpcStatus.create({ code, message })).finish());
}

export function decodeRpcStatus(bytes: Uint8Array): { code: number; message: string } {
  const decoded = rpcStatus.toObject(rpcStatus.decode(bytes), { defaults: true });
  return { code: decoded['code'] as number, message: decoded['message'] as string };
}
