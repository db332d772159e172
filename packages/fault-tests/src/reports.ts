/**
 * The backend reports the apps write to stdout (profiling-tracing's backend-health.ts), picked out of the
 * collected log records.
 */
import type { LogRecord } from './app-process.js';

export type Backend = 'jaeger' | 'pyroscope' | 'loki';
export const BACKENDS: readonly Backend[] = ['jaeger', 'pyroscope', 'loki'];
/** The kind of data each backend gets all the time (Pyroscope also gets heap profiles). */
export const MAIN_DATA: Record<Backend, string> = {
  jaeger: 'spans',
  pyroscope: 'CPU profiles',
  loki: 'log records',
};

/**
 * The first report of an outage (`event: failing`): "<backend> at <address> failed: <data> are not being
 * delivered: …" or "… rejected <data>: HTTP <status>: <reason>". Each backend has one state per kind of
 * data (`data`: spans; CPU profiles and heap profiles; log records).
 */
export const isFirstFailure = (backend: Backend) => (r: LogRecord) =>
  r['backend'] === backend && r['event'] === 'failing';
/** "<backend> at <address> still failing <data>: N failures since the last report". */
export const isRepeatFailure = (backend: Backend) => (r: LogRecord) =>
  r['backend'] === backend && r['event'] === 'still-failing';
/** "<backend> at <address> is reachable again for <data>" (or "accepts <data> again" after a rejection). */
export const isRecovery = (backend: Backend) => (r: LogRecord) =>
  r['backend'] === backend && r['event'] === 'recovered';

/** The records grouped by the kind of data they are about (`data`), e.g. CPU profiles and heap profiles. */
export function byData(records: LogRecord[]): Map<string, LogRecord[]> {
  const groups = new Map<string, LogRecord[]>();
  for (const record of records) {
    const data = String(record['data']);
    groups.set(data, [...(groups.get(data) ?? []), record]);
  }
  return groups;
}
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
