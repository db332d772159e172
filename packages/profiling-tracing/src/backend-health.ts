/**
 * What the app says about its telemetry backends (Jaeger, Pyroscope, Loki) when they fail — without
 * drowning its own logs. A backend that is down fails on every batch (every second or so); logging each
 * failure would bury the app's real logs and, through Loki, feed on itself. So each backend reports:
 *
 *  - its first failure at once, with its address and the error;
 *  - further failures at most once per report interval, with the number of failures since the last report;
 *  - its recovery (the first success after a failure), with how many failures and how long it was down.
 *
 * `DropCounter` does the same for data a bounded queue had to drop: the first drop at once, then at most
 * once per interval with the count since the last report, and the remainder when the queue is closed.
 *
 * Both only call `report`; where the line goes (the app's logger, stdout of a worker) is the caller's choice.
 * No timers: reports happen when failures happen, so an idle process reports nothing.
 */

export type ReportLevel = 'info' | 'warn' | 'error';
export type Report = (level: ReportLevel, message: string, fields: Record<string, unknown>) => void;

export interface BackendHealthOptions {
  /** Short name, also the `backend` field of every report: `jaeger`, `pyroscope`, `loki`. */
  backend: string;
  /** Where data is sent, e.g. `http://jaeger:14268/api/traces`. */
  address: string;
  /** What is lost while it fails, for the message: `spans`, `profiles`, `log records`. */
  data: string;
  /** Minimum time between two "still failing" reports (BACKEND_REPORT_INTERVAL_MS). */
  reportIntervalMs: number;
  report: Report;
  now?: () => number;
}

/** Turns any thrown value or failure into a short one-line description. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = (error as { code?: unknown }).code ?? (cause as { code?: unknown } | undefined)?.code;
    const causeText = cause instanceof Error && cause.message !== error.message ? `: ${cause.message}` : '';
    const text = `${error.message}${causeText}`;
    return typeof code === 'string' && !text.includes(code) ? `${code} ${text}` : text;
  }
  return String(error);
}

export class BackendHealth {
  readonly backend: string;
  readonly address: string;
  #data: string;
  #intervalMs: number;
  #report: Report;
  #now: () => number;
  /** undefined while healthy */
  #downSince: number | undefined;
  #failuresWhileDown = 0;
  #failuresSinceReport = 0;
  #lastReportAt = 0;
  #lastError = '';

  constructor(options: BackendHealthOptions) {
    this.backend = options.backend;
    this.address = options.address;
    this.#data = options.data;
    this.#intervalMs = options.reportIntervalMs;
    this.#report = options.report;
    this.#now = options.now ?? Date.now;
  }

  get healthy(): boolean {
    return this.#downSince === undefined;
  }

  failure(error: unknown): void {
    const now = this.#now();
    this.#lastError = describeError(error);
    this.#failuresWhileDown++;
    this.#failuresSinceReport++;
    const fields = { backend: this.backend, address: this.address, error: this.#lastError };
    if (this.#downSince === undefined) {
      this.#downSince = now;
      this.#failuresSinceReport = 0;
      this.#lastReportAt = now;
      this.#report(
        'warn',
        `${this.backend} at ${this.address} failed: ${this.#data} are not being delivered ` +
          `(further failures are reported at most every ${Math.round(this.#intervalMs / 1000)} s)`,
        fields,
      );
      return;
    }
    if (now - this.#lastReportAt >= this.#intervalMs) {
      const failures = this.#failuresSinceReport;
      this.#failuresSinceReport = 0;
      this.#lastReportAt = now;
      this.#report(
        'warn',
        `${this.backend} at ${this.address} still failing: ${failures} failures since the last report`,
        { ...fields, failures, down_ms: now - this.#downSince },
      );
    }
  }

  success(): void {
    if (this.#downSince === undefined) return;
    const now = this.#now();
    this.#report('info', `${this.backend} at ${this.address} is reachable again`, {
      backend: this.backend,
      address: this.address,
      failures: this.#failuresWhileDown,
      down_ms: now - this.#downSince,
    });
    this.#downSince = undefined;
    this.#failuresWhileDown = 0;
    this.#failuresSinceReport = 0;
  }
}

export interface DropCounterOptions {
  /** Which queue, e.g. `spans` or `loki`: the `queue` field of every report. */
  queue: string;
  /** The message, given the count, e.g. (n) => `dropped ${n} oldest spans: queue full`. */
  describe: (count: number) => string;
  reportIntervalMs: number;
  report: Report;
  now?: () => number;
}

export class DropCounter {
  #options: DropCounterOptions;
  #now: () => number;
  #sinceReport = 0;
  #total = 0;
  #lastReportAt: number | undefined;

  constructor(options: DropCounterOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Everything dropped since start. */
  get total(): number {
    return this.#total;
  }

  dropped(count = 1): void {
    if (count <= 0) return;
    this.#sinceReport += count;
    this.#total += count;
    const now = this.#now();
    if (this.#lastReportAt === undefined || now - this.#lastReportAt >= this.#options.reportIntervalMs) {
      this.flush();
    }
  }

  /** Reports what was dropped since the last report, if anything (also called on close). */
  flush(): void {
    if (this.#sinceReport === 0) return;
    const count = this.#sinceReport;
    this.#sinceReport = 0;
    this.#lastReportAt = this.#now();
    this.#options.report('warn', this.#options.describe(count), {
      queue: this.#options.queue,
      dropped: count,
      dropped_total: this.#total,
    });
  }
}

/**
 * Errors with no backend to blame (e.g. from OpenTelemetry's global error handler): the first at once, then
 * at most one per interval with the number seen since the last report.
 */
export class RateLimitedErrors {
  #source: string;
  #intervalMs: number;
  #report: Report;
  #now: () => number;
  #sinceReport = 0;
  #lastReportAt: number | undefined;

  constructor(options: { source: string; reportIntervalMs: number; report: Report; now?: () => number }) {
    this.#source = options.source;
    this.#intervalMs = options.reportIntervalMs;
    this.#report = options.report;
    this.#now = options.now ?? Date.now;
  }

  error(error: unknown): void {
    this.#sinceReport++;
    const now = this.#now();
    if (this.#lastReportAt !== undefined && now - this.#lastReportAt < this.#intervalMs) return;
    this.#report('warn', `${this.#source} error: ${describeError(error)}`, {
      source: this.#source,
      errors: this.#sinceReport,
    });
    this.#sinceReport = 0;
    this.#lastReportAt = now;
  }
}

const LEVEL_VALUES: Record<string, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

/** Writes a report as one pino-style JSON line to stdout. */
export function stdoutReport(base: Record<string, unknown>, level: string): Report {
  const threshold = LEVEL_VALUES[level] ?? 30;
  return (reportLevel, message, fields) => {
    const value = LEVEL_VALUES[reportLevel] ?? 40;
    if (value < threshold) return;
    process.stdout.write(
      `${JSON.stringify({ level: value, time: Date.now(), ...base, ...fields, msg: message })}\n`,
    );
  };
}
