/**
 * Structured logs with pino: JSON lines to stdout always, and to Loki when LOKI_URL is set, through our
 * transport (loki-transport.ts: a worker thread that batches and pushes JSON to /loki/api/v1/push, keeps a
 * bounded buffer and retries failed pushes).
 *
 * pino is imported only after the OpenTelemetry SDK has started, so that `@opentelemetry/instrumentation-pino`
 * patches it: every record written inside a span then carries `trace_id` and `span_id`, which is what
 * Grafana's Loki → Jaeger link matches on. Loki stream labels stay low-cardinality: service_name, region
 * and level; everything else is in the JSON line.
 */
import { fileURLToPath } from 'node:url';
import type { Level, Logger, DestinationStream } from 'pino';
import type { TelemetryConfig } from './config.js';
import type { LokiTransportOptions } from './loki-transport.js';
import { within } from './deadline.js';

export type { Logger };

export interface Logs {
  logger: Logger;
  /** Pushes buffered records to Loki and stops the transport, within `deadlineMs`. */
  close(deadlineMs: number): Promise<void>;
}

export interface LogsOptions {
  config: TelemetryConfig['logs'];
  serviceName: string;
  region: string | undefined;
  /** BACKEND_REPORT_INTERVAL_MS, for the transport's reports about Loki. */
  reportIntervalMs: number;
}

const TRANSPORT = fileURLToPath(new URL('./loki-transport.js', import.meta.url));

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
  const loki = pino.transport({
    target: TRANSPORT,
    options: {
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
    } satisfies LokiTransportOptions,
  }) as DestinationStream & NodeJS.EventEmitter & { end(): void };
  const logger = pino(
    { level: config.level, base },
    pino.multistream([
      { level: config.level as Level, stream: stdout },
      { level: config.level as Level, stream: loki },
    ]),
  );
  return {
    logger,
    close: async (deadlineMs) => {
      const closed = new Promise<void>((resolve) => loki.once('close', () => resolve()));
      loki.end();
      await within(closed, deadlineMs);
    },
  };
}
