/**
 * Structured logs with pino: JSON lines to stdout always, and to Loki when LOKI_URL is set, through the
 * `pino-loki` transport (a worker thread that batches and pushes JSON to /loki/api/v1/push).
 *
 * pino is imported only after the OpenTelemetry SDK has started, so that `@opentelemetry/instrumentation-pino`
 * patches it: every record written inside a span then carries `trace_id` and `span_id`, which is what
 * Grafana's Loki → Jaeger link matches on. Loki stream labels stay low-cardinality: service_name, region
 * and level; everything else is in the JSON line.
 */
import type { Level, Logger, DestinationStream } from 'pino';
import type { TelemetryConfig } from './config.js';

export type { Logger };

export interface Logs {
  logger: Logger;
  /** Pushes buffered records to Loki and stops the transport. */
  close(): Promise<void>;
}

export interface LogsOptions {
  config: TelemetryConfig['logs'];
  serviceName: string;
  region: string | undefined;
}

export async function startLogs({ config, serviceName, region }: LogsOptions): Promise<Logs> {
  const { default: pino } = await import('pino');
  const base = { service: serviceName, ...(region !== undefined && { region }) };
  const stdout = pino.destination({ dest: 1, sync: true });
  if (config.lokiUrl === undefined) {
    return { logger: pino({ level: config.level, base }, stdout), close: async () => stdout.flushSync() };
  }
  const loki = pino.transport({
    target: 'pino-loki',
    options: {
      host: config.lokiUrl,
      labels: { service_name: serviceName, ...(region !== undefined && { region }) },
      batching: { interval: config.lokiBatchIntervalMs / 1000, maxBufferSize: 10_000 },
      timeout: 5_000,
    },
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
    close: () =>
      new Promise<void>((resolve) => {
        loki.once('close', () => resolve());
        loki.end();
      }),
  };
}
