// Decodes a jaeger.thrift `Batch` (Thrift binary protocol, as jaeger-client's HTTPSender posts it) with thriftrw
// and the IDL shipped in jaeger-client, into plain objects with hex ids.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export type TagValue = string | number | boolean;

export interface JaegerSpanRef {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM' | string;
  /** 32 hex chars. */
  traceId: string;
  /** 16 hex chars. */
  spanId: string;
}

export interface JaegerLog {
  timestampMicros: number;
  fields: Record<string, TagValue>;
}

export interface JaegerProcess {
  serviceName: string;
  tags: Record<string, TagValue>;
}

export interface JaegerSpan {
  /** 32 lower-case hex chars: traceIdHigh then traceIdLow (high is all zeros for 64-bit trace ids). */
  traceId: string;
  /** 16 lower-case hex chars. */
  spanId: string;
  /** 16 hex chars; '0000000000000000' for a root span. */
  parentSpanId: string;
  operationName: string;
  flags: number;
  startTimeMicros: number;
  durationMicros: number;
  tags: Record<string, TagValue>;
  references: JaegerSpanRef[];
  logs: JaegerLog[];
  process: JaegerProcess;
}

export interface JaegerBatch {
  process: JaegerProcess;
  spans: JaegerSpan[];
}

export const NO_PARENT_SPAN_ID = '0000000000000000';

// Minimal shapes of what thriftrw returns (it ships no types). i64 fields come back as 8-byte big-endian Buffers,
// enums as their names.
interface RawTag {
  key: string;
  vType: string;
  vStr?: string | null;
  vDouble?: number | null;
  vBool?: boolean | null;
  vLong?: Buffer | null;
  vBinary?: Buffer | null;
}
interface RawSpan {
  traceIdLow: Buffer;
  traceIdHigh: Buffer;
  spanId: Buffer;
  parentSpanId: Buffer;
  operationName: string;
  references?: { refType: string; traceIdLow: Buffer; traceIdHigh: Buffer; spanId: Buffer }[] | null;
  flags: number;
  startTime: Buffer;
  duration: Buffer;
  tags?: RawTag[] | null;
  logs?: { timestamp: Buffer; fields: RawTag[] }[] | null;
}
interface RawBatch {
  process: { serviceName: string; tags?: RawTag[] | null };
  spans: RawSpan[];
}
interface ThriftRwResult<T> {
  err: Error | null;
  value: T;
  offset?: number;
}
interface ThriftRwStruct<T> {
  rw: { fromBuffer(buf: Buffer): ThriftRwResult<T>; toBuffer(value: unknown): ThriftRwResult<Buffer> };
}
interface JaegerThrift {
  Batch: ThriftRwStruct<RawBatch>;
}

let thrift: JaegerThrift | undefined;

/** Path of jaeger.thrift inside the installed jaeger-client (the IDL its HTTPSender encodes with). */
export function jaegerThriftIdlPath(): string {
  return require.resolve('jaeger-client/dist/src/jaeger-idl/thrift/jaeger.thrift');
}

function jaegerThrift(): JaegerThrift {
  if (!thrift) {
    const { Thrift } = require('thriftrw') as { Thrift: new (opts: object) => JaegerThrift };
    thrift = new Thrift({
      source: readFileSync(jaegerThriftIdlPath(), 'ascii'),
      allowOptionalArguments: true,
    });
  }
  return thrift;
}

/** Hex of a thriftrw i64 (8-byte big-endian buffer; shorter buffers are left-padded with zeros). */
export function i64ToHex(buf: Buffer | null | undefined): string {
  if (!buf || buf.length === 0) return NO_PARENT_SPAN_ID;
  return buf.toString('hex').padStart(16, '0').slice(-16);
}

/** Signed value of a thriftrw i64 (Thrift i64 is signed); exact for |n| < 2^53. */
export function i64ToBigInt(buf: Buffer | null | undefined): bigint {
  if (!buf || buf.length === 0) return 0n;
  const b =
    buf.length === 8 ? buf : Buffer.concat([Buffer.alloc(Math.max(0, 8 - buf.length)), buf]).subarray(-8);
  return b.readBigInt64BE(0);
}

function i64ToNumber(buf: Buffer | null | undefined): number {
  return Number(i64ToBigInt(buf));
}

function tagValue(tag: RawTag): TagValue {
  switch (tag.vType) {
    case 'STRING':
      return tag.vStr ?? '';
    case 'DOUBLE':
      return tag.vDouble ?? 0;
    case 'BOOL':
      return tag.vBool ?? false;
    case 'LONG': {
      const v = i64ToBigInt(tag.vLong);
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(v)
        : v.toString();
    }
    case 'BINARY':
      return (tag.vBinary ?? Buffer.alloc(0)).toString('hex');
    default:
      return tag.vStr ?? '';
  }
}

function tagsToRecord(tags: RawTag[] | null | undefined): Record<string, TagValue> {
  const out: Record<string, TagValue> = {};
  for (const tag of tags ?? []) out[tag.key] = tagValue(tag);
  return out;
}

/** Decode one Thrift-binary `Batch`; throws with thriftrw's message when the bytes are not a Batch. */
export function decodeJaegerBatch(body: Buffer): JaegerBatch {
  const result = jaegerThrift().Batch.rw.fromBuffer(body);
  if (result.err) throw result.err;
  const raw = result.value;
  const process: JaegerProcess = {
    serviceName: raw.process.serviceName,
    tags: tagsToRecord(raw.process.tags),
  };
  const spans = raw.spans.map((s): JaegerSpan => ({
    traceId: i64ToHex(s.traceIdHigh) + i64ToHex(s.traceIdLow),
    spanId: i64ToHex(s.spanId),
    parentSpanId: i64ToHex(s.parentSpanId),
    operationName: s.operationName,
    flags: s.flags,
    startTimeMicros: i64ToNumber(s.startTime),
    durationMicros: i64ToNumber(s.duration),
    tags: tagsToRecord(s.tags),
    references: (s.references ?? []).map((r) => ({
      refType: r.refType,
      traceId: i64ToHex(r.traceIdHigh) + i64ToHex(r.traceIdLow),
      spanId: i64ToHex(r.spanId),
    })),
    logs: (s.logs ?? []).map((l) => ({
      timestampMicros: i64ToNumber(l.timestamp),
      fields: tagsToRecord(l.fields),
    })),
    process,
  }));
  return { process, spans };
}

/** Encode a Batch the way jaeger-client does (for tests of producers that bypass jaeger-client). */
export function encodeJaegerBatch(batch: unknown): Buffer {
  const result = jaegerThrift().Batch.rw.toBuffer(batch);
  if (result.err) throw result.err;
  return result.value;
}
