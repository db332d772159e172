/**
 * Our pino destination for Loki: `lokiTransport(options)` returns an object with `write(line)`, given to
 * `pino.multistream` next to stdout. The work is done by `LokiShipper` (bounded buffer dropping the oldest,
 * truncation to Loki's line limit, retry of a failed push, health reports).
 *
 * It runs on the main thread, in the app's own isolate. It used to be a pino transport in pino's worker
 * thread (`pino.transport({ target })`): that is a second V8 isolate, about 12 MB of RSS per process, and
 * each log line cost the app about 90 µs of CPU to copy it across threads — more than this whole destination
 * costs now. The trade: the JSON work now runs on the thread that serves requests. Measured here
 * (Node 24, 2 vCPUs, a 300-byte line), `write` — parse the line, drop `hostname`, stringify it, buffer it —
 * cost about 6 µs per line, and building the push body about 1.5 µs per line, once per batch; a line in
 * pino's own form now skips the parse (loki-shipper.ts): 1.0 µs against 3.3 for the demo's 243-byte line
 * (AMD EPYC, 2026-12-03). (Going
 * through `pino-abstract-transport`'s stream in-process, as the worker did, cost 10–17 µs per line: its
 * split2 Transform and async iterator on top of the same work; so this is a plain object, not a stream.)
 * Pushes are asynchronous node:http requests: the event loop never waits for Loki.
 *
 * Being in-process also means:
 *  - the pushes would be traced by the HTTP instrumentation (a span per push, exported and profiled as a
 *    local root): the shipper is created, and closed, with tracing suppressed, and its timer carries that
 *    context into every push;
 *  - an exception in here must not reach the app: a report that cannot be written is dropped, `write` and
 *    `close` catch everything else and report it (rate-limited), and the shipper catches what its timer
 *    starts;
 *  - an in-flight push does not keep the process alive (its socket is unref'd, as the worker was): the
 *    app's shutdown waits for `close()` instead.
 *
 * It replaces `pino-loki` 3.0.0, which pushes the same JSON but, on a failed push, prints the whole error
 * to stderr every time (or nothing at all with `silenceErrors`) and drops the batch, and drops the oldest
 * buffered records without saying so.
 *
 * Reports (Loki failing, recovered, records dropped) are written to stdout as one pino-style JSON line each
 * (same `level`/`time`/`msg` fields and base fields as the app's records); they are not sent to Loki, so a
 * failing Loki cannot feed on its own reports.
 */
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import {
  BackendHealth,
  DropCounter,
  RateLimitedErrors,
  safeAddress,
  stdoutReport,
  type Report,
} from './backend-health.js';
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
  /** Longest time `close()` may take to push what is left (the app's shutdown deadline bounds it too). */
  closeTimeoutMs: number;
  /** Fields of every report line, like the app logger's `base` (service, region). */
  reportBase: Record<string, unknown>;
  /** The app's log level: reports below it are not written. */
  level: string;
}

/** What pino writes to (one JSON line per call), and how the app's shutdown closes it. */
export interface LokiDestination {
  write(line: string): void;
  /** Pushes what is buffered, within `deadlineMs` (and `closeTimeoutMs`), then stops; never rejects. */
  close(deadlineMs?: number): Promise<void>;
  /** `pino.multistream().end()` calls it: starts `close()`. */
  end(): void;
}

/** Outside any trace: the HTTP instrumentation makes no span for a push, and injects no trace context. */
const UNTRACED = suppressTracing(ROOT_CONTEXT);

export default function lokiTransport(options: LokiTransportOptions): LokiDestination {
  const toStdout = stdoutReport(options.reportBase, options.level);
  // a report that cannot be written (stdout closed) is dropped: it must not throw into the shipper's
  // bookkeeping, nor out of the app's `logger.info()`
  const report: Report = (level, message, fields) => {
    try {
      toStdout(level, message, fields);
    } catch {
      // nowhere left to say it
    }
  };
  const { reportIntervalMs } = options;
  const address = safeAddress(options.url);
  const errors = new RateLimitedErrors({ source: 'loki transport', reportIntervalMs, report });
  // a bug of ours: reported (rate-limited), never thrown at the app
  const unexpected = (error: unknown): void => {
    try {
      errors.error(error);
    } catch {
      // describing the error threw: drop it
    }
  };
  const shipper = context.with(
    UNTRACED,
    () =>
      new LokiShipper({
        url: options.url,
        labels: options.labels,
        batchIntervalMs: options.batchIntervalMs,
        maxBufferedRecords: options.maxBufferedRecords,
        pushTimeoutMs: options.pushTimeoutMs,
        maxLineBytes: options.maxLineBytes,
        ...(options.basicAuth !== undefined && { basicAuth: options.basicAuth }),
        ...(options.tenantId !== undefined && { tenantId: options.tenantId }),
        health: new BackendHealth({
          backend: 'loki',
          address,
          data: 'log records',
          reportIntervalMs,
          report,
        }),
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
        unexpected,
      }),
  );
  let closing: Promise<void> | undefined;
  const close = (deadlineMs = options.closeTimeoutMs): Promise<void> =>
    (closing ??= context.with(UNTRACED, async () => {
      try {
        const left = await shipper.close(Math.max(0, Math.min(deadlineMs, options.closeTimeoutMs)));
        if (left > 0) {
          report('warn', `${left} log records could not be delivered to Loki before exit`, {
            backend: 'loki',
            address,
            undelivered: left,
          });
        }
      } catch (error) {
        unexpected(error);
      }
    }));
  return {
    write(line) {
      try {
        // the shipper keeps its own compact copy of the line (without `hostname`), not pino's string
        shipper.add(line);
      } catch (error) {
        unexpected(error);
      }
    },
    close,
    end() {
      void close();
    },
  };
}
