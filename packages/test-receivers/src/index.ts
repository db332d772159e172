export {
  ReceiverServer,
  ReceiverError,
  decodeContentEncoding,
  type ReceiverOptions,
  type ReceiverBehaviour,
  type WaitForOptions,
  type ReceivedRequest,
  type Rejection,
} from './receiver-server.js';
export { NGINX_401_BODY, type ReceiverAuth } from './receiver-auth.js';
export {
  decodeJaegerBatch,
  encodeJaegerBatch,
  i64ToHex,
  i64ToBigInt,
  jaegerThriftIdlPath,
  NO_PARENT_SPAN_ID,
  type JaegerBatch,
  type JaegerSpan,
  type JaegerSpanRef,
  type JaegerLog,
  type JaegerProcess,
  type TagValue,
} from './jaeger-thrift-decoder.js';
export { JaegerReceiver, startJaegerReceiver } from './jaeger-thrift-receiver.js';
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
export { decodePprof, decodeSamples, sampleTypeKeys, type DecodedSample } from './pprof-decoder.js';
export { parsePyroscopeName, type PyroscopeName } from './pyroscope-name.js';
export {
  PyroscopeReceiver,
  startPyroscopeReceiver,
  type PyroscopeQuery,
  type PyroscopeUpload,
  type PyroscopeReceiverOptions,
} from './pyroscope-ingest-receiver.js';
export { PYROSCOPE_DEFAULT_LIMITS, type PyroscopeLimits } from './pyroscope-limits.js';
export {
  LokiReceiver,
  startLokiReceiver,
  decodeLokiPush,
  decodeLokiPushStreams,
  type LokiEntry,
  type LokiPushStream,
  type LokiReceiverOptions,
} from './loki-push-receiver.js';
export { LOKI_DEFAULT_LIMITS, type LokiLimits } from './loki-limits.js';
export {
  startAllReceivers,
  receiverEnv,
  type AllReceivers,
  type AllReceiversOptions,
} from './all-receivers.js';
export { getFreePort } from './free-port.js';
export { startAppProcess, type AppProcess, type LogRecord } from './app-process.js';
export { recordingLogger, type LoggedRecord } from './recording-logger.js';
export { waitUntil } from './wait-until.js';
