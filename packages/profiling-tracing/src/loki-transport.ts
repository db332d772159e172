/**
 * Our pino transport to Loki (`pino.transport({ target: <this file>, options })`): it runs in pino's worker
 * thread, so batching, JSON encoding and HTTP pushes stay off the thread that serves requests. The work is
 * done by `LokiShipper` (bounded buffer dropping the oldest, retry of a failed push, health reports).
 *
 * It replaces `pino-loki` 3.0.0, which pushes the same JSON but, on a failed push, prints the whole error
 * to stderr every time (or nothing at all with `silenceErrors`) and drops the batch, and drops the oldest
 * buffered records without saying so.
 *
 * Reports (Loki failing, recovered, records dropped) are written by the worker to stdout as one pino-style
 * JSON line each (same `level`/`time`/`msg` fields and base fields as the app's records); they are not sent
 * to Loki.
 */
import build from 'pino-abstract-transport';
import { BackendHealth, DropCounter, safeAddress, stdoutReport } from './backend-health.js';
import { LokiShipper } from './loki-shipper.js';

export interface LokiTransportOptions {
  url: string;
  labels: Record<string, string>;
  batchIntervalMs: number;
  maxBufferedRecords: number;
  pushTimeoutMs: number;
  maxLineBytes: number;
  basicAuth?: { user: string; password: string };
  tenantId?: string;
  reportIntervalMs: number;
  /** Time `close()` may take to push what is left (the app's shutdown deadline bounds it too). */
  closeTimeoutMs: number;
  /** Fields of every report line, like the app logger's `base` (service, region). */
  reportBase: Record<string, unknown>;
  /** The app's log level: reports below it are not written. */
  level: string;
}

export default function lokiTransport(options: LokiTransportOptions) {
  const report = stdoutReport(options.reportBase, options.level);
  const { reportIntervalMs } = options;
  const address = safeAddress(options.url);
  const shipper = new LokiShipper({
    url: options.url,
    labels: options.labels,
    batchIntervalMs: options.batchIntervalMs,
    maxBufferedRecords: options.maxBufferedRecords,
    pushTimeoutMs: options.pushTimeoutMs,
    maxLineBytes: options.maxLineBytes,
    ...(options.basicAuth !== undefined && { basicAuth: options.basicAuth }),
    ...(options.tenantId !== undefined && { tenantId: options.tenantId }),
    health: new BackendHealth({ backend: 'loki', address, data: 'log records', reportIntervalMs, report }),
    drops: new DropCounter({
      queue: 'loki',
      describe: (n) =>
        `dropped the ${n} oldest log records for Loki: its buffer of ${options.maxBufferedRecords} is full`,
      reportIntervalMs,
      report,
    }),
    truncations: new DropCounter({
      queue: 'loki',
      field: 'truncated',
      describe: (n) =>
        `truncated ${n} log lines for Loki to its line limit of ${options.maxLineBytes} bytes ` +
        '(the full lines are on stdout)',
      reportIntervalMs,
      report,
    }),
    refusals: new DropCounter({
      queue: 'loki',
      field: 'refused',
      describe: (n) => `Loki at ${address} refused ${n} log records for good (not retried)`,
      reportIntervalMs,
      report,
    }),
  });
  return build(
    async (source) => {
      // records arrive parsed (see LokiShipper.add: the shipper keeps its own compact copy)
      for await (const record of source as AsyncIterable<Record<string, unknown>>) shipper.add(record);
    },
    {
      async close() {
        const left = await shipper.close(options.closeTimeoutMs);
        if (left > 0) {
          report('warn', `${left} log records could not be delivered to Loki before exit`, {
            backend: 'loki',
            address,
            undelivered: left,
          });
        }
      },
    },
  );
}
