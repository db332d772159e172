/**
 * Ships pino's JSON lines to Loki's push API (`POST /loki/api/v1/push`, JSON body) in batches, without
 * losing what can be kept and without growing:
 *
 *  - records wait in a bounded buffer (`maxBufferedRecords`); when it is full the *oldest* record goes,
 *    counted, and a `DropCounter` reports the count (first drop at once, then at most once per interval);
 *  - every `batchIntervalMs` the oldest records (up to `maxBatchRecords`) are pushed; one push at a time,
 *    each with a deadline (`pushTimeoutMs`);
 *  - a push that fails (refused, timed out, or answered 429, 5xx, 401 or 403) is put back at the front of the
 *    buffer and retried at the next interval, so Loki gets the records once it is back — in order, within one
 *    interval. A push answered with another 4xx is not retried: Loki's distributor has already taken the
 *    valid entries of that push and refuses the rest for good (pkg/distributor/distributor.go: invalid entries
 *    are skipped and the push answers 400 with the last validation error), so a retry would only duplicate
 *    the first and loop on the second; those records are counted and reported as refused;
 *  - a line longer than Loki's `max_line_size` (`maxLineBytes`, 256 KB by default in Loki 3.5, and not
 *    truncated by the server by default: the entry is refused) is cut to that size here, with a marker at
 *    its end, counted and reported — the record still reaches Loki with its trace id;
 *    While Loki is failing, each retry carries only the oldest few records (`PROBE_RECORDS`): a dead Loki
 *    costs a small request per interval instead of a large body built and thrown away every time; the
 *    first success resumes full batches at once;
 *  - each failure (with Loki's status and reason) and the recovery are told to a `BackendHealth`;
 *  - basic auth and the `X-Scope-OrgID` tenant header are sent when configured (multi-tenant Loki).
 *  - `close()` pushes what is left, bounded by a deadline, and reports what could not be delivered.
 *
 * The push body carries what `pino-loki` sent (same labels and lines), grouped into one stream per label
 * set — `level` (debug, info, warning, error, critical), the fixed `labels` (service_name, region), and
 * `hostname` when the record has one — with values `[unix ns, line]`, the line being the record's JSON
 * without `hostname`.
 */
import http from 'node:http';
import https from 'node:https';
import { BackendRejection, type BackendHealth, type DropCounter } from './backend-health.js';
import { within } from './deadline.js';

export interface LokiShipperOptions {
  /** Loki's base URL, e.g. http://loki:3100 (the push path is added). */
  url: string;
  /** Stream labels added to every record, e.g. { service_name, region }. */
  labels: Record<string, string>;
  batchIntervalMs: number;
  maxBufferedRecords: number;
  /** Records per push (default 1000). */
  maxBatchRecords?: number;
  pushTimeoutMs: number;
  /** Loki's `max_line_size`: longer lines are truncated to it (default 256 KB, Loki's default). */
  maxLineBytes?: number;
  /** Basic auth for a Loki behind an authenticating gateway (Grafana Cloud, a reverse proxy). */
  basicAuth?: { user: string; password: string };
  /** `X-Scope-OrgID`: the tenant of a multi-tenant Loki (`auth_enabled: true`). */
  tenantId?: string;
  health: BackendHealth;
  /** Records dropped because the buffer was full. */
  drops: DropCounter;
  /** Lines truncated to `maxLineBytes`. */
  truncations?: DropCounter;
  /** Records Loki refused for good (a 4xx other than 401, 403 and 429). */
  refusals?: DropCounter;
  /**
   * A bug of ours thrown from a push the timer started (nothing else throws: a failed push is a failure
   * told to `health`). Without it, such an error would be an uncaught exception in the app's process.
   */
  unexpected?: (error: unknown) => void;
}

/** Loki 3.5's default `max_line_size` (pkg/validation/limits.go: 256KB, a flagext.ByteSize). */
export const LOKI_MAX_LINE_BYTES = 256 * 1024;

/** Statuses after which the same push can succeed later: rate limit, auth, Loki or a proxy in trouble. */
const isRetryable = (status: number): boolean =>
  status === 401 || status === 403 || status === 408 || status === 429 || status >= 500;

interface Entry {
  /** Stream labels, level included. */
  labels: Record<string, string>;
  /** The labels as a string, to group entries into streams. */
  key: string;
  timestampNs: string;
  line: string;
}

/** Records sent per retry while Loki is failing. */
const PROBE_RECORDS = 10;

const LEVELS: Record<number, string> = {
  10: 'debug',
  20: 'debug',
  30: 'info',
  40: 'warning',
  50: 'error',
  60: 'critical',
};

/**
 * The head of a line as pino writes it: `{"level":30,"time":1764748800000,"pid":7,"hostname":"box"` with
 * its defaults — level and epoch-millisecond time first, then the `base` bindings (pino 10's
 * lib/tools.js `_asJson`: level, time, bindings, then the record's own fields). The demo's base is
 * `{ service, region }`, so its lines have neither pid nor hostname, and the head ends after `time`.
 * Groups: 1 level, 2 time, 3 the `,"hostname":…` field, 4 its JSON string.
 */
const PINO_HEAD =
  /^\{"level":(\d+),"time":(\d{1,15})(?:,"pid":\d+)?(,"hostname":("(?:[^"\\]|\\.)*"))?(?=[,}])/;

export class LokiShipper {
  readonly pushUrl: string;
  #options: LokiShipperOptions & { maxBatchRecords: number; maxLineBytes: number };
  #health: BackendHealth;
  #drops: DropCounter;
  #headers: Record<string, string>;
  /** Waiting records, oldest first, from #head on. */
  #entries: (Entry | undefined)[] = [];
  #head = 0;
  /** The batch being pushed, if any. */
  #sending: Entry[] | undefined;
  #pushing: Promise<boolean> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  /** The last push failed: retry with a small batch. */
  #failing = false;
  #agent: http.Agent | undefined;
  /** Records Loki accepted. */
  delivered = 0;

  constructor(options: LokiShipperOptions) {
    this.#options = { maxBatchRecords: 1000, maxLineBytes: LOKI_MAX_LINE_BYTES, ...options };
    this.#health = options.health;
    this.#drops = options.drops;
    this.#headers = {
      'content-type': 'application/json',
      ...(options.basicAuth !== undefined && {
        authorization: `Basic ${Buffer.from(`${options.basicAuth.user}:${options.basicAuth.password}`).toString('base64')}`,
      }),
      ...(options.tenantId !== undefined && { 'x-scope-orgid': options.tenantId }),
    };
    this.pushUrl = `${options.url.replace(/\/+$/, '')}/loki/api/v1/push`;
    this.#timer = setInterval(() => {
      try {
        this.#pushSoon();
      } catch (error) {
        this.#options.unexpected?.(error);
      }
    }, options.batchIntervalMs);
    this.#timer.unref();
  }

  /** Records waiting, including the batch being pushed. */
  get buffered(): number {
    return this.#entries.length - this.#head + (this.#sending?.length ?? 0);
  }

  /**
   * Adds one record: a pino JSON line (what the transport passes), or the record already parsed. A line
   * in pino's own form is sent as written, less its `hostname` field (#pinoEntryOf); any other JSON line
   * is parsed and serialised again without `hostname`. A line that is not a JSON object is sent as it is,
   * at level info.
   */
  add(input: string | Record<string, unknown>): void {
    if (this.#closed) return;
    const entry = this.#entryOf(input);
    if (this.buffered >= this.#options.maxBufferedRecords) {
      if (this.#entries.length - this.#head > 0) {
        this.#dropOldest(1);
      } else {
        // everything buffered is in the push under way: the newest is the one that cannot be kept
        this.#drops.dropped(1);
        return;
      }
    }
    this.#entries.push(entry);
  }

  /** Pushes what is buffered now (and waits for it); false when a push failed before the buffer emptied. */
  async flush(): Promise<boolean> {
    for (;;) {
      if (this.#pushing) {
        await this.#pushing;
        continue;
      }
      if (this.#entries.length - this.#head === 0) return true;
      if (!(await this.#exclusive(() => this.#pushOnce()))) return false;
    }
  }

  /** Stops the timer and pushes what is left within `deadlineMs`; returns the records left undelivered. */
  async close(deadlineMs: number): Promise<number> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await within(this.flush(), deadlineMs);
    this.#closed = true;
    this.#drops.flush();
    this.#options.truncations?.flush();
    this.#options.refusals?.flush();
    this.#agent?.destroy();
    return this.buffered;
  }

  #pushSoon(): void {
    if (this.#pushing || this.#entries.length - this.#head === 0) return;
    const unexpected = (error: unknown) => this.#options.unexpected?.(error);
    this.#exclusive(async () => {
      // keep going while full batches are waiting (catching up after an outage), stop at the first failure
      // and right after a retry got through, so the rest follows without waiting another interval
      for (;;) {
        const wasFailing = this.#failing;
        if (!(await this.#pushOnce())) return false;
        const waiting = this.#entries.length - this.#head;
        if (waiting === 0 || (waiting < this.#options.maxBatchRecords && !wasFailing)) return true;
      }
      return false;
    }).catch(unexpected);
  }

  /** One push sequence at a time. */
  #exclusive(fn: () => Promise<boolean>): Promise<boolean> {
    const running = fn().finally(() => (this.#pushing = undefined));
    this.#pushing = running;
    return running;
  }

  async #pushOnce(): Promise<boolean> {
    const limit = this.#failing
      ? Math.min(PROBE_RECORDS, this.#options.maxBatchRecords)
      : this.#options.maxBatchRecords;
    const size = Math.min(limit, this.#entries.length - this.#head);
    if (size === 0) return true;
    const batch = this.#entries.slice(this.#head, this.#head + size) as Entry[];
    this.#entries.fill(undefined, this.#head, this.#head + size);
    this.#head += size;
    this.#compact();
    this.#sending = batch;
    try {
      const { status, text } = await this.#post(JSON.stringify({ streams: streamsOf(batch) }));
      if (status >= 200 && status < 300) {
        this.delivered += batch.length;
        this.#failing = false;
        this.#health.success();
        return true;
      }
      const rejection = new BackendRejection(status, text);
      if (isRetryable(status)) throw rejection;
      // Loki kept the valid entries of this push and will never take the others: no retry
      this.#health.failure(rejection);
      this.#options.refusals?.dropped(batch.length);
      this.#failing = false;
      return true;
    } catch (error) {
      this.#failing = true;
      this.#health.failure(error);
      // back to the front, to be retried; then the oldest go if that overfills the buffer
      this.#entries = [...batch, ...(this.#entries.slice(this.#head) as Entry[])];
      this.#head = 0;
      const excess = this.#entries.length - this.#options.maxBufferedRecords;
      if (excess > 0) this.#dropOldest(excess);
      return false;
    } finally {
      this.#sending = undefined;
    }
  }

  /**
   * POSTs the body with node:http over one keep-alive connection, bounded by `pushTimeoutMs`. (Not `fetch`:
   * measured here, thousands of refused `fetch` calls grow the process's RSS by tens of MB while the JS heap
   * stays flat; node:http's does not keep growing.)
   */
  #post(body: string): Promise<{ status: number; text: string }> {
    const url = new URL(this.pushUrl);
    const secure = url.protocol === 'https:';
    const agent = (this.#agent ??= secure
      ? new https.Agent({ keepAlive: true, maxSockets: 1 })
      : new http.Agent({ keepAlive: true, maxSockets: 1 }));
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(
        url,
        {
          method: 'POST',
          agent,
          headers: { ...this.#headers, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (text.length < 1000) text += chunk;
          });
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, text });
          });
          res.on('error', (error) => {
            clearTimeout(timer);
            reject(error);
          });
        },
      );
      const timer = setTimeout(
        () => req.destroy(new Error(`push got no answer within ${this.#options.pushTimeoutMs} ms`)),
        this.#options.pushTimeoutMs,
      );
      timer.unref();
      // a push under way does not keep the process alive by itself (a shutdown waits for close() instead)
      req.on('socket', (socket) => socket.unref());
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.end(body);
    });
  }

  #dropOldest(count: number): void {
    this.#entries.fill(undefined, this.#head, this.#head + count);
    this.#head += count;
    this.#drops.dropped(count);
    this.#compact();
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }

  #entryOf(input: string | Record<string, unknown>): Entry {
    if (typeof input === 'string') {
      const fast = this.#pinoEntryOf(input);
      if (fast !== undefined) return fast;
    }
    let record: Record<string, unknown> | undefined;
    if (typeof input !== 'string') {
      record = input;
    } else {
      try {
        const parsed: unknown = JSON.parse(input);
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
          record = parsed as Record<string, unknown>;
        }
      } catch {
        // not JSON: sent as it is
      }
    }
    const level = LEVELS[typeof record?.['level'] === 'number' ? record['level'] : 30] ?? 'info';
    const time = typeof record?.['time'] === 'number' ? record['time'] : Date.now();
    const hostname = record?.['hostname'];
    let line: string;
    if (record === undefined) {
      line = String(input);
    } else if (hostname === undefined) {
      line = JSON.stringify(record);
    } else {
      const { hostname: _hostname, ...rest } = record;
      line = JSON.stringify(rest);
    }
    const { labels, key } = this.#streamOf(level, hostname === undefined ? undefined : String(hostname));
    return { labels, key, timestampNs: `${Math.trunc(time)}000000`, line: this.#fitted(line) };
  }

  /**
   * A line as pino writes it, split without parsing it: the level, time and hostname are read from its head
   * and the hostname is cut out of the text. Undefined when the line does not start as pino's do, or names
   * `level`, `time` or `hostname` again further on (a logged field or a child's binding: JSON.parse keeps
   * the last one, so the full parse decides). Same entry as the full parse, for a fifth of its cost.
   */
  #pinoEntryOf(input: string): Entry | undefined {
    const head = PINO_HEAD.exec(input);
    if (head === null) return undefined;
    const headEnd = head[0].length;
    if (input.includes('"level":', headEnd) || input.includes('"time":', headEnd)) return undefined;
    if (input.includes('"hostname":', headEnd)) return undefined;
    const end = input.endsWith('\n') ? input.length - 1 : input.length;
    const hostField = head[3];
    const line =
      hostField === undefined
        ? input.slice(0, end)
        : input.slice(0, headEnd - hostField.length) + input.slice(headEnd, end);
    const hostname = head[4] === undefined ? undefined : (JSON.parse(head[4]) as string);
    const { labels, key } = this.#streamOf(LEVELS[Number(head[1])] ?? 'info', hostname);
    return { labels, key, timestampNs: `${head[2]}000000`, line: this.#fitted(line) };
  }

  /** The line, cut to `maxLineBytes` (UTF-8) with a marker saying how much was cut, when it is longer. */
  #fitted(line: string): string {
    const limit = this.#options.maxLineBytes;
    // a UTF-16 code unit is at most 3 UTF-8 bytes: most lines need no byte count at all
    if (line.length * 3 <= limit) return line;
    const bytes = Buffer.from(line, 'utf8');
    if (bytes.length <= limit) return line;
    const marker = (cut: number) => ` …[truncated ${cut} bytes: Loki's line limit is ${limit}]`;
    let keep = limit - Buffer.byteLength(marker(bytes.length));
    while (keep > 0 && (bytes[keep]! & 0xc0) === 0x80) keep--; // not inside a UTF-8 sequence
    this.#options.truncations?.dropped(1);
    return `${bytes.subarray(0, keep).toString('utf8')}${marker(bytes.length - keep)}`;
  }

  /** One labels object per label set, shared by its entries. */
  #streams = new Map<string, { labels: Record<string, string>; key: string }>();

  #streamOf(level: string, hostname: string | undefined): { labels: Record<string, string>; key: string } {
    const id = `${level}\n${hostname ?? ''}`;
    let stream = this.#streams.get(id);
    if (stream === undefined) {
      const labels: Record<string, string> = {
        level,
        ...this.#options.labels,
        ...(hostname !== undefined && { hostname }),
      };
      stream = { labels, key: JSON.stringify(labels) };
      if (this.#streams.size < 1000) this.#streams.set(id, stream);
    }
    return stream;
  }
}

function streamsOf(batch: Entry[]): { stream: Record<string, string>; values: [string, string][] }[] {
  const streams = new Map<string, { stream: Record<string, string>; values: [string, string][] }>();
  for (const entry of batch) {
    let stream = streams.get(entry.key);
    if (stream === undefined) {
      stream = { stream: entry.labels, values: [] };
      streams.set(entry.key, stream);
    }
    stream.values.push([entry.timestampNs, entry.line]);
  }
  return [...streams.values()];
}
