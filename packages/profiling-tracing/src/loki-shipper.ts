/**
 * Ships pino's JSON lines to Loki's push API (`POST /loki/api/v1/push`, JSON body) in batches, without
 * losing what can be kept and without growing:
 *
 *  - records wait in a bounded buffer (`maxBufferedRecords`); when it is full the *oldest* record goes,
 *    counted, and a `DropCounter` reports the count (first drop at once, then at most once per interval);
 *  - every `batchIntervalMs` the oldest records (up to `maxBatchRecords`) are pushed; one push at a time,
 *    each with a deadline (`pushTimeoutMs`);
 *  - a push that fails (refused, timed out, or a non-2xx answer) is put back at the front of the buffer and
 *    retried at the next interval, so Loki gets the records once it is back — in order, within one interval.
 *    While Loki is failing, each retry carries only the oldest few records (`PROBE_RECORDS`): a dead Loki
 *    costs a small request per interval instead of a large body built and thrown away every time; the
 *    first success resumes full batches at once;
 *  - each failure and the recovery are told to a `BackendHealth` (address once, then rate-limited);
 *  - `close()` pushes what is left, bounded by a deadline, and reports what could not be delivered.
 *
 * The push body carries what `pino-loki` sent (same labels and lines), grouped into one stream per label
 * set — `level` (debug, info, warning, error, critical), the fixed `labels` (service_name, region), and
 * `hostname` when the record has one — with values `[unix ns, line]`, the line being the record's JSON
 * without `hostname`.
 */
import http from 'node:http';
import https from 'node:https';
import type { BackendHealth, DropCounter } from './backend-health.js';
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
  health: BackendHealth;
  drops: DropCounter;
}

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

export class LokiShipper {
  readonly pushUrl: string;
  #options: Required<Omit<LokiShipperOptions, 'health' | 'drops'>>;
  #health: BackendHealth;
  #drops: DropCounter;
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
    this.#options = { maxBatchRecords: 1000, ...options };
    this.#health = options.health;
    this.#drops = options.drops;
    this.pushUrl = `${options.url.replace(/\/+$/, '')}/loki/api/v1/push`;
    this.#timer = setInterval(() => this.#pushSoon(), options.batchIntervalMs);
    this.#timer.unref();
  }

  /** Records waiting, including the batch being pushed. */
  get buffered(): number {
    return this.#entries.length - this.#head + (this.#sending?.length ?? 0);
  }

  /**
   * Adds one record: a pino JSON line, or the record already parsed (what the transport passes: a line cut
   * out of pino's stream by split2 is a slice of a larger string and would keep all of it alive while it
   * waits in the buffer). A line that is not a JSON object is sent as it is, at level info.
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
    this.#agent?.destroy();
    return this.buffered;
  }

  #pushSoon(): void {
    if (this.#pushing || this.#entries.length - this.#head === 0) return;
    void this.#exclusive(async () => {
      // keep going while full batches are waiting (catching up after an outage), stop at the first failure
      // and right after a retry got through, so the rest follows without waiting another interval
      for (;;) {
        const wasFailing = this.#failing;
        if (!(await this.#pushOnce())) return false;
        const waiting = this.#entries.length - this.#head;
        if (waiting === 0 || (waiting < this.#options.maxBatchRecords && !wasFailing)) return true;
      }
      return false;
    });
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
      if (status < 200 || status >= 300) {
        throw new Error(`HTTP ${status}${text ? `: ${text.trim().slice(0, 200)}` : ''}`);
      }
      this.delivered += batch.length;
      this.#failing = false;
      this.#health.success();
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
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
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
    return { labels, key, timestampNs: `${Math.trunc(time)}000000`, line };
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
