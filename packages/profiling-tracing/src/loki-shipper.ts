/**
 * Ships pino's JSON lines to Loki's push API (`POST /loki/api/v1/push`, JSON body) in batches, without
 * losing what can be kept and without growing:
 *
 *  - records wait in a bounded buffer (`maxBufferedRecords`); when it is full the *oldest* record goes,
 *    counted, and a `DropCounter` reports the count (first drop at once, then at most once per interval);
 *  - every `batchIntervalMs` the oldest records (up to `maxBatchRecords`) are pushed; one push at a time,
 *    each with a deadline (`pushTimeoutMs`);
 *  - a push that fails (refused, timed out, or a non-2xx answer) is put back at the front of the buffer and
 *    retried at the next interval, so Loki gets the records once it is back — in order, within one interval;
 *  - each failure and the recovery are told to a `BackendHealth` (address once, then rate-limited);
 *  - `close()` pushes what is left, bounded by a deadline, and reports what could not be delivered.
 *
 * The push body is what `pino-loki` sends: one stream per label set — `level` (debug, info, warning, error,
 * critical), the fixed `labels` (service_name, region), and `hostname` when the record has one — with
 * values `[unix ns, line]`, the line being the record's JSON without `hostname`.
 */
import type { BackendHealth, DropCounter } from './backend-health.js';

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

  /** Adds one pino JSON line (lines that are not JSON objects are sent as they are, at level info). */
  add(line: string): void {
    if (this.#closed) return;
    const entry = this.#entryOf(line);
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
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
      timer.unref();
    });
    await Promise.race([this.flush(), deadline]);
    clearTimeout(timer);
    this.#closed = true;
    this.#drops.flush();
    return this.buffered;
  }

  #pushSoon(): void {
    if (this.#pushing || this.#entries.length - this.#head === 0) return;
    void this.#exclusive(async () => {
      // keep going while full batches are waiting (catching up after an outage), stop at the first failure
      while (await this.#pushOnce()) {
        if (this.#entries.length - this.#head < this.#options.maxBatchRecords) return true;
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
    const size = Math.min(this.#options.maxBatchRecords, this.#entries.length - this.#head);
    if (size === 0) return true;
    const batch = this.#entries.slice(this.#head, this.#head + size) as Entry[];
    this.#entries.fill(undefined, this.#head, this.#head + size);
    this.#head += size;
    this.#compact();
    this.#sending = batch;
    try {
      const response = await fetch(this.pushUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ streams: streamsOf(batch) }),
        signal: AbortSignal.timeout(this.#options.pushTimeoutMs),
      });
      const text = await response.text().catch(() => '');
      if (!response.ok)
        throw new Error(`HTTP ${response.status}${text ? `: ${text.trim().slice(0, 200)}` : ''}`);
      this.delivered += batch.length;
      this.#health.success();
      return true;
    } catch (error) {
      this.#health.failure(
        error instanceof Error && error.name === 'TimeoutError'
          ? new Error(`push got no answer within ${this.#options.pushTimeoutMs} ms`)
          : error,
      );
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

  #entryOf(line: string): Entry {
    let record: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        record = parsed as Record<string, unknown>;
      }
    } catch {
      // not JSON: sent as it is
    }
    const level = LEVELS[typeof record?.['level'] === 'number' ? record['level'] : 30] ?? 'info';
    const time = typeof record?.['time'] === 'number' ? record['time'] : Date.now();
    const labels: Record<string, string> = { level, ...this.#options.labels };
    let text = line;
    if (record !== undefined && record['hostname'] !== undefined) {
      const { hostname, ...rest } = record;
      labels['hostname'] = String(hostname);
      text = JSON.stringify(rest);
    }
    return {
      labels,
      key: JSON.stringify(labels),
      timestampNs: `${Math.trunc(time)}000000`,
      line: text,
    };
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
