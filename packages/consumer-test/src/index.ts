export {
  OtlpTraceReceiver,
  startOtlpTraceReceiver,
  MAX_REQUEST_BODY_BYTES,
  type OtlpSpan,
  type OtlpReceivedRequest,
  type OtlpTraceReceiverOptions,
  type AttributeValue,
} from './otlp-trace-receiver.js';
export {
  decodeExportTraceServiceRequest,
  encodeExportTraceServiceRequest,
  decodeRpcStatus,
} from './otlp-proto.js';
