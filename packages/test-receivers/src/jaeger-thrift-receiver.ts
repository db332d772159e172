// Jaeger collector stand-in: POST /api/traces with a Thrift-binary Batch (what @opentelemetry/exporter-jaeger
// sends through jaeger-client's HTTPSender when an endpoint is set). Answers 202 like Jaeger.
import { decodeJaegerBatch, type JaegerBatch, type JaegerSpan } from './jaeger-thrift-decoder.js';
import {
  ReceiverError,
  ReceiverServer,
  type HandlerResult,
  type IncomingBody,
  type ReceiverOptions,
} from './receiver-server.js';

const THRIFT_CONTENT_TYPES = new Set(['application/x-thrift', 'application/vnd.apache.thrift.binary']);

export class JaegerReceiver extends ReceiverServer {
  readonly name = 'jaeger';
  /** Every decoded span, in arrival order. */
  spans: JaegerSpan[] = [];
  /** Every decoded batch (one per accepted POST). */
  batches: JaegerBatch[] = [];

  constructor(opts?: ReceiverOptions) {
    super(opts);
  }

  /** The endpoint to give the exporter (`OTEL_EXPORTER_JAEGER_ENDPOINT`). */
  get endpoint(): string {
    return `${this.url}/api/traces`;
  }

  /** Spans of one trace (32-hex trace id). */
  trace(traceId: string): JaegerSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  spansNamed(operationName: string): JaegerSpan[] {
    return this.spans.filter((s) => s.operationName === operationName);
  }

  protected summary(): string {
    return `spans=${this.spans.length} [${[...new Set(this.spans.map((s) => s.operationName))].slice(0, 10).join(', ')}]`;
  }

  protected clearData(): void {
    this.spans = [];
    this.batches = [];
  }

  protected handle(req: IncomingBody): HandlerResult {
    if (req.path !== '/api/traces') throw new ReceiverError(404, `no route ${req.path}`);
    if (req.method !== 'POST') throw new ReceiverError(405, `method ${req.method} not allowed`);
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!THRIFT_CONTENT_TYPES.has(contentType)) {
      throw new ReceiverError(
        400,
        `unsupported content-type "${contentType}" (expected application/x-thrift)`,
      );
    }
    let batch: JaegerBatch;
    try {
      batch = decodeJaegerBatch(req.raw);
    } catch (err) {
      throw new ReceiverError(400, `cannot decode Thrift Batch: ${(err as Error).message}`);
    }
    return {
      status: 202,
      commit: () => {
        this.batches.push(batch);
        this.spans.push(...batch.spans);
      },
    };
  }
}

export async function startJaegerReceiver(opts?: ReceiverOptions): Promise<JaegerReceiver> {
  return new JaegerReceiver(opts).listen();
}
