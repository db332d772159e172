/**
 * What the app says about its telemetry backends (Jaeger, Pyroscope, Loki) when they fail — without
 * drowning its own logs. A backend that is down fails on every batch (every second or so); logging each
 * failure would bury the app's real logs and, through Loki, feed on itself. So each backend, for each kind
 * of data it takes (spans; CPU profiles and heap profiles; log records), has one state and reports:
 *
 *  - its first failure at once, with its address and why: the status and the backend's own reason when it
 *    answered with an error (`HTTP 422: resource_exhausted: Maximum active series limit exceeded …`), the
 *    transport error when it did not answer;
 *  - a different reason at once (refused, then rejecting), the same one at most once per report interval,
 *    with the number of failures since the last report;
 *  - its recovery (the first success after a failure), with how many failures and how long it was down.
 *    A success of another kind of data (the heap profile) says nothing about this one (the CPU profile).
 *
 * `DropCounter` does the same for data a bounded queue had to drop: the first drop at once, then at most
 * once per interval with the count since the last report, and the remainder when the queue is closed.
 *
 * Both only call `report`; where the line goes (the app's logger, stdout) is the caller's choice.
 * No timers: reports happen when failures happen, so an idle process reports nothing. Addresses and reasons
 * are reported without the credentials a URL may carry.
 */

export type ReportLevel = 'info' | 'warn' | 'error';
export type Report = (level: ReportLevel, message: string, fields: Record<string, unknown>) => void;

export interface BackendHealthOptions {
  /** Short name, also the `backend` field of every report: `jaeger`, `pyroscope`, `loki`. */
  backend: string;
  /** Where data is sent, e.g. `http://jaeger:14268/api/traces` (credentials in it are never reported). */
  address: string;
  /** What is lost while it fails, for the message and the `data` field: `spans`, `CPU profiles`, `log records`. */
  data: string;
  /** Minimum time between two "still failing" reports (BACKEND_REPORT_INTERVAL_MS). */
  reportIntervalMs: number;
  report: Report;
  now?: () => number;
}

/** Longest backend reason kept in a report, in characters. */
const MAX_REASON = 300;

/**
 * The backend answered, with an error: its HTTP status and its reason (the response body, or the message
 * inside a JSON error body), shortened to one line. Pyroscope's series limit, Loki's rate limit and an auth
 * gateway's 401 all arrive this way.
 */
export class BackendRejection extends Error {
  readonly status: number;
  readonly reason: string;

  constructor(status: number, body = '') {
    const reason = oneLineReason(body);
    super(reason === '' ? `HTTP ${status}` : `HTTP ${status}: ${reason}`);
    this.name = 'BackendRejection';
    this.status = status;
    this.reason = reason;
  }
}

/**
 * A response body as one short line: the `message` (and `code`) of a JSON error body (connect-go and
 * gRPC-gateway errors such as Pyroscope's are `{"code":"resource_exhausted","message":"…"}`), the title of
 * an HTML error page, or the text itself; control bytes and whitespace folded, cut at 300 characters,
 * credentials in URLs removed.
 */
export function oneLineReason(body: string): string {
  // a binary body (an OTLP receiver's protobuf google.rpc.Status) keeps its readable runs of text
  // eslint-disable-next-line no-control-regex
  let text = body.replace(/[\u0000-\u0008\u000b-\u001f\u007f\ufffd]+/g, ' ').trim();
  // an HTML error page (nginx, a load balancer): its title says it, e.g. "401 Authorization Required"
  if (/^<(!doctype|html)/i.test(text)) {
    const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1];
    text = title ?? text.replace(/<[^>]*>/g, ' ');
  }
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { code?: unknown; message?: unknown; error?: unknown };
      const message = typeof parsed.message === 'string' ? parsed.message : parsed.error;
      if (typeof message === 'string') {
        text =
          typeof parsed.code === 'string' && !message.startsWith(parsed.code)
            ? `${parsed.code}: ${message}`
            : message;
      }
    } catch {
      // not JSON after all: keep the text
    }
  }
  text = redactCredentials(text.replace(/\s+/g, ' ').trim());
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
}

/** `scheme://user:password@host` → `scheme://host`, wherever it appears in a text. */
export function redactCredentials(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, '$1');
}

/** Turns any thrown value or failure into a short one-line description. */
export function describeError(error: unknown): string {
  if (error instanceof BackendRejection) return error.message;
  const rejection = rejectionOf(error);
  if (rejection !== undefined) return rejection.message;
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = (error as { code?: unknown }).code ?? (cause as { code?: unknown } | undefined)?.code;
    const causeText = cause instanceof Error && cause.message !== error.message ? `: ${cause.message}` : '';
    const text = `${error.message}${causeText}`;
    return redactCredentials(typeof code === 'string' && !text.includes(code) ? `${code} ${text}` : text);
  }
  return redactCredentials(String(error));
}

/**
 * The rejection inside an exporter's error, where the exporter kept one: the OTLP exporters'
 * `OTLPExporterError` has the HTTP status as `code` and the body as `data`. (jaeger-client's HTTP sender
 * discards the body and says only `server responded with HTTP <status>`.)
 */
function rejectionOf(error: unknown): BackendRejection | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, data } = error as { code?: unknown; data?: unknown };
  if (typeof code !== 'number' || code < 100 || code > 599) return undefined;
  return new BackendRejection(code, typeof data === 'string' && data.trim() !== '' ? data : error.message);
}

/**
 * What kind of trouble a failure is: a refusal with its status, or the backend not answering at all (refused,
 * reset, timed out: one kind, since which of them it is says nothing new to the reader).
 */
function problemOf(error: unknown): { key: string; status?: number } {
  const rejection = error instanceof BackendRejection ? error : rejectionOf(error);
  if (rejection !== undefined) return { key: `HTTP ${rejection.status}`, status: rejection.status };
  const status = /\bHTTP (\d{3})\b/.exec(describeError(error))?.[1];
  if (status !== undefined) return { key: `HTTP ${status}`, status: Number(status) };
  return { key: 'unreachable' };
}

/** A URL without the user and password it may carry, for reports. */
export function safeAddress(address: string): string {
  try {
    const url = new URL(address);
    if (url.username === '' && url.password === '') return address;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return redactCredentials(address);
  }
}

/**
 * The state of one backend for one kind of data: delivering, or failing for one reason. Each change of
 * state is reported once, at once: the first failure, a different reason (`HTTP 422` after no answer),
 * the recovery. The same failure again is reported at most once per interval, with a count. Every report
 * has the fields `backend`, `address`, `data` and `event` (`failing`, `still-failing`, `recovered`).
 */
export class BackendHealth {
  readonly backend: string;
  readonly address: string;
  readonly data: string;
  #intervalMs: number;
  #report: Report;
  #now: () => number;
  /** undefined while healthy */
  #downSince: number | undefined;
  /** The kind of the current failure (`HTTP 422`, `unreachable`), to report a change of reason at once. */
  #problem: string | undefined;
  #rejected = false;
  #failuresWhileDown = 0;
  #failuresSinceReport = 0;
  #lastReportAt = 0;

  constructor(options: BackendHealthOptions) {
    this.backend = options.backend;
    this.address = safeAddress(options.address);
    this.data = options.data;
    this.#intervalMs = options.reportIntervalMs;
    this.#report = options.report;
    this.#now = options.now ?? Date.now;
  }

  get healthy(): boolean {
    return this.#downSince === undefined;
  }

  failure(error: unknown): void {
    const now = this.#now();
    const description = describeError(error);
    const problem = problemOf(error);
    this.#failuresWhileDown++;
    this.#failuresSinceReport++;
    const fields = {
      backend: this.backend,
      address: this.address,
      data: this.data,
      ...(problem.status !== undefined && { status: problem.status }),
      error: description,
    };
    const changed = this.#downSince !== undefined && problem.key !== this.#problem;
    if (this.#downSince === undefined || changed) {
      this.#downSince ??= now;
      this.#problem = problem.key;
      this.#rejected = problem.status !== undefined;
      this.#failuresSinceReport = 0;
      this.#lastReportAt = now;
      const what = this.#rejected
        ? `rejected ${this.data}: ${description}`
        : `failed: ${this.data} are not being delivered: ${description}`;
      this.#report(
        'warn',
        `${this.backend} at ${this.address} ${what} ` +
          `(further failures are reported at most every ${Math.round(this.#intervalMs / 1000)} s)`,
        { ...fields, event: 'failing' },
      );
      return;
    }
    if (now - this.#lastReportAt >= this.#intervalMs) {
      const failures = this.#failuresSinceReport;
      this.#failuresSinceReport = 0;
      this.#lastReportAt = now;
      this.#report(
        'warn',
        `${this.backend} at ${this.address} still ${this.#rejected ? 'rejecting' : 'failing'} ` +
          `${this.data}: ${failures} failures since the last report (${description})`,
        { ...fields, event: 'still-failing', failures, down_ms: now - this.#downSince },
      );
    }
  }

  success(): void {
    if (this.#downSince === undefined) return;
    const now = this.#now();
    const again = this.#rejected ? `accepts ${this.data} again` : `is reachable again for ${this.data}`;
    this.#report('info', `${this.backend} at ${this.address} ${again}`, {
      backend: this.backend,
      address: this.address,
      data: this.data,
      event: 'recovered',
      failures: this.#failuresWhileDown,
      down_ms: now - this.#downSince,
    });
    this.#downSince = undefined;
    this.#problem = undefined;
    this.#rejected = false;
    this.#failuresWhileDown = 0;
    this.#failuresSinceReport = 0;
  }
}

export interface DropCounterOptions {
  /** Which queue, e.g. `spans` or `loki`: the `queue` field of every report. */
  queue: string;
  /** The message, given the count, e.g. (n) => `dropped ${n} oldest spans: queue full`. */
  describe: (count: number) => string;
  /** Name of the count fields: `dropped` (default) and `dropped_total`, or e.g. `truncated`, `truncated_total`. */
  field?: string;
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
    const field = this.#options.field ?? 'dropped';
    this.#options.report('warn', this.#options.describe(count), {
      queue: this.#options.queue,
      [field]: count,
      [`${field}_total`]: this.#total,
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
