export {
  ReceiverServer,
  ReceiverError,
  decodeContentEncoding,
  type ReceiverOptions,
  type ReceiverBehaviour,
  type WaitForOptions,
  type ReceivedRequest,
} from './receiver-server.js';
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
export { decodePprof, decodeSamples, sampleTypeKeys, type DecodedSample } from './pprof-decoder.js';
export { parsePyroscopeName, type PyroscopeName } from './pyroscope-name.js';
export {
  PyroscopeReceiver,
  startPyroscopeReceiver,
  type PyroscopeQuery,
  type PyroscopeUpload,
} from './pyroscope-ingest-receiver.js';
export { LokiReceiver, startLokiReceiver, decodeLokiPush, type LokiEntry } from './loki-push-receiver.js';
export {
  startAllReceivers,
  receiverEnv,
  type AllReceivers,
  type AllReceiversOptions,
} from './all-receivers.js';
export { getFreePort } from './free-port.js';
export { startAppProcess, type AppProcess, type LogRecord } from './app-process.js';
export { recordingLogger, type LoggedRecord } from './recording-logger.js';
