/**
 * The backend reports the apps write to stdout (profiling-tracing's backend-health.ts), picked out of the
 * collected log records.
 */
import type { LogRecord } from './app-process.js';

export type Backend = 'jaeger' | 'pyroscope' | 'loki';
export const BACKENDS: readonly Backend[] = ['jaeger', 'pyroscope', 'loki'];

/** "<backend> at <address> failed: … are not being delivered" — the first failure of an outage. */
export const isFirstFailure = (backend: Backend) => (r: LogRecord) =>
  r['backend'] === backend && typeof r.msg === 'string' && r.msg.includes(' failed: ');
/** "<backend> at <address> still failing: N failures since the last report". */
export const isRepeatFailure = (backend: Backend) => (r: LogRecord) =>
  r['backend'] === backend && typeof r.msg === 'string' && r.msg.includes(' still failing: ');
/** "<backend> at <address> is reachable again". */
export const isRecovery = (backend: Backend) => (r: LogRecord) =>
  r['backend'] === backend && typeof r.msg === 'string' && r.msg.includes(' is reachable again');
/** "dropped the N oldest …" from a bounded queue. */
export const isDropReport = (queue: string) => (r: LogRecord) =>
  r['queue'] === queue && typeof r['dropped'] === 'number';

/** Records (not only reports) that mention a backend: what "logged once, then rate-limited" counts. */
export const mentionsBackend = (backend: Backend) => (r: LogRecord) => r['backend'] === backend;

/** The environment that points an app's telemetry at three addresses (no receiver needs to listen). */
export function telemetryEnv(ports: {
  jaeger: number;
  pyroscope: number;
  loki: number;
}): Record<string, string> {
  return {
    OTEL_TRACES_EXPORTER: 'jaeger',
    OTEL_EXPORTER_JAEGER_ENDPOINT: `http://127.0.0.1:${ports.jaeger}/api/traces`,
    PYROSCOPE_SERVER_ADDRESS: `http://127.0.0.1:${ports.pyroscope}`,
    LOKI_URL: `http://127.0.0.1:${ports.loki}`,
  };
}
