/**
 * Structured logs with pino: JSON lines to stdout always, and to Loki when LOKI_URL is set, through our
 * destination (loki-transport.ts: batches and pushes JSON to /loki/api/v1/push, keeps a bounded buffer and
 * retries failed pushes), both in one `pino.multistream`.
 *
 * The Loki destination runs in-process, on the main thread, not in a pino worker thread: a worker is a second
 * V8 isolate (about 12 MB of RSS per process) and copying each line to it cost about 90 µs of CPU, where the
 * in-process destination costs about 6 µs per line plus about 1.5 µs per line to build each push body
 * (measured; details in loki-transport.ts). The trade is that this JSON work now runs on the thread that
 * serves requests; the pushes themselves are asynchronous and never block it. It is imported only when
 * LOKI_URL is set.
 *
 * pino is imported only after the OpenTelemetry SDK has started, so that `@opentelemetry/instrumentation-pino`
 * patches it: every record written inside a span then carries `trace_id` and `span_id`, which is what
 * Grafana's Loki → Jaeger link matches on. Loki stream labels stay low-cardinality: service_name, region
 * and level; everything else is in the JSON line.
 */
import type { Level, Logger } from 'pino';
import type { TelemetryConfig } from './config.js';
import { within } from './deadline.js';

export type { Logger };

export interface Logs {
  logger: Logger;
  /** Pushes buffered records to Loki and stops the Loki destination, within `deadlineMs`; never rejects. */
  close(deadlineMs: number): Promise<void>;
}

export interface LogsOptions {
  config: TelemetryConfig['logs'];
  serviceName: string;
  region: string | undefined;
  /** BACKEND_REPORT_INTERVAL_MS, for the transport's reports about Loki. */
  reportIntervalMs: number;
}

export async function startLogs({
  config,
  serviceName,
  region,
  reportIntervalMs,
}: LogsOptions): Promise<Logs> {
  const { default: pino } = await import('pino');
  const base = { service: serviceName, ...(region !== undefined && { region }) };
  const stdout = pino.destination({ dest: 1, sync: true });
  if (config.lokiUrl === undefined) {
    return { logger: pino({ level: config.level, base }, stdout), close: async () => stdout.flushSync() };
  }
  const { default: lokiTransport } = await import('./loki-transport.js');
  const loki = lokiTransport({
    url: config.lokiUrl,
    labels: { service_name: serviceName, ...(region !== undefined && { region }) },
    batchIntervalMs: config.lokiBatchIntervalMs,
    maxBufferedRecords: config.lokiMaxBufferedRecords,
    pushTimeoutMs: config.lokiPushTimeoutMs,
    maxLineBytes: config.lokiMaxLineBytes,
    ...(config.lokiBasicAuth !== undefined && { basicAuth: config.lokiBasicAuth }),
    ...(config.lokiTenantId !== undefined && { tenantId: config.lokiTenantId }),
    reportIntervalMs,
    closeTimeoutMs: config.lokiPushTimeoutMs,
    reportBase: base,
    level: config.level,
  });
  const logger = pino(
    { level: config.level, base },
    pino.multistream([
      { level: config.level as Level, stream: stdout },
      { level: config.level as Level, stream: loki },
    ]),
  );
  return {
    logger,
    // the destination bounds its last push by the deadline itself; `within` is the guarantee
    close: async (deadlineMs) => void (await within(loki.close(deadlineMs), deadlineMs)),
  };
}
