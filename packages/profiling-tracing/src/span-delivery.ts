/**
 * Span delivery that survives a backend that is down, slow or hanging:
 *
 *  - `ReportingSpanExporter` wraps the real exporter (exporter-jaeger, OTLP): it reports every outcome to the
 *    backend's `BackendHealth` (first failure with the address, then rate-limited, then recovery) and puts a
 *    deadline on each export. jaeger-client's HTTP sender never aborts a request that gets no answer, so
 *    without the deadline a hanging collector would hold the batch processor's single export slot until the
 *    processor's own timeout.
 *    It also holds `shutdown()` and `forceFlush()` until the exports already running have answered: the
 *    batch processor flushes its queue at shutdown but does not wait for the export its timer started, and
 *    exporter-jaeger's shutdown destroys the HTTP agent under that export's requests (a whole batch lost
 *    at SIGTERM on a busy machine). Each export has its deadline, so the wait is bounded.
 *  - `DropOldestBatchSpanProcessor` is the SDK's `BatchSpanProcessor` (export off the request path, on a
 *    timer, in batches) whose bounded queue drops the *oldest* span when it is full, counted and reported
 *    by a `DropCounter`. The stock processor drops the newest span and only tells `diag` (silent by default).
 *
 * Errors already reported here are remembered (`wasReported`), so the global OpenTelemetry error handler,
 * which the batch processor also calls for every failed export, does not report them a second time.
 */
import { TraceFlags } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { BackendHealth, DropCounter } from './backend-health.js';
import { batchQueueOf } from './sdk-trace-internals.js';

const reported = new WeakSet<object>();

/** True for errors a `ReportingSpanExporter` has already reported to its backend's health. */
export function wasReported(error: unknown): boolean {
  return typeof error === 'object' && error !== null && reported.has(error);
}

export class ReportingSpanExporter implements SpanExporter {
  /** Exports handed to the inner exporter and not yet settled (answered or past their deadline). */
  readonly #running = new Set<Promise<void>>();

  constructor(
    readonly inner: SpanExporter,
    private readonly health: BackendHealth,
    private readonly timeoutMs: number,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let settled = false;
    let finished = (): void => undefined;
    const running = new Promise<void>((resolve) => (finished = resolve));
    this.#running.add(running);
    const settle = (result: ExportResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.#running.delete(running);
      finished();
      if (result.code === ExportResultCode.SUCCESS) {
        this.health.success();
      } else {
        const error = result.error ?? new Error('export failed');
        this.health.failure(error);
        reported.add(error);
        result = { code: ExportResultCode.FAILED, error };
      }
      resultCallback(result);
    };
    const timer = setTimeout(
      () =>
        settle({ code: ExportResultCode.FAILED, error: new Error(`no answer within ${this.timeoutMs} ms`) }),
      this.timeoutMs,
    );
    timer.unref();
    try {
      this.inner.export(spans, settle);
    } catch (error) {
      settle({
        code: ExportResultCode.FAILED,
        error: error instanceof Error ? error : new Error(String(error)),
      });
    }
  }

  async shutdown(): Promise<void> {
    await this.#exportsRunning();
    return this.inner.shutdown();
  }

  async forceFlush(): Promise<void> {
    await this.#exportsRunning();
    return this.inner.forceFlush?.();
  }

  /** Resolves when every export running now has settled. */
  async #exportsRunning(): Promise<void> {
    await Promise.all([...this.#running]);
  }
}

export interface BatchOptions {
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduledDelayMillis: number;
  exportTimeoutMillis: number;
}

export class DropOldestBatchSpanProcessor extends BatchSpanProcessor {
  readonly #maxQueueSize: number;
  readonly #drops: DropCounter;
  #closed = false;

  constructor(exporter: SpanExporter, options: BatchOptions, drops: DropCounter) {
    super(exporter, options);
    this.#maxQueueSize = options.maxQueueSize;
    this.#drops = drops;
    batchQueueOf(this); // an SDK that moved its queue fails here, at start-up
  }

  /** The processor's queue, reached in sdk-trace-internals.ts. */
  get #queue(): ReadableSpan[] {
    return batchQueueOf(this);
  }

  /** Spans waiting to be exported. */
  get queued(): number {
    return this.#queue.length;
  }

  override onEnd(span: ReadableSpan): void {
    const queue = this.#queue;
    const sampled = (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0;
    if (sampled && !this.#closed && queue.length >= this.#maxQueueSize) {
      const excess = queue.length - this.#maxQueueSize + 1;
      queue.splice(0, excess);
      this.#drops.dropped(excess);
    }
    super.onEnd(span);
  }

  override shutdown(): Promise<void> {
    this.#closed = true;
    return super.shutdown().finally(() => this.#drops.flush());
  }
}
