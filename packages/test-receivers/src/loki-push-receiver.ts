// Loki stand-in: POST /loki/api/v1/push with the JSON push body (optionally gzip/deflate content-encoding).
// Answers 204 like Loki; protobuf pushes are refused with 415. GET /ready answers "ready".
import {
  ReceiverError,
  ReceiverServer,
  decodeContentEncoding,
  type HandlerResult,
  type IncomingBody,
  type ReceiverOptions,
} from './receiver-server.js';

export interface LokiEntry {
  /** The stream's labels. */
  labels: Record<string, string>;
  /** Unix nanoseconds as sent (a decimal string). */
  timestampNs: string;
  line: string;
  /** The line parsed as JSON when it is a JSON object or array. */
  json?: unknown;
  /** Structured metadata (third element of the value), if sent. */
  metadata?: Record<string, string>;
}

function stringRecord(value: unknown, what: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ReceiverError(400, `${what} must be an object of strings`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new ReceiverError(400, `${what}.${k} must be a string, got ${typeof v}`);
    out[k] = v;
  }
  return out;
}

/** Validate and flatten a Loki JSON push body; throws a 400 ReceiverError on anything Loki would refuse. */
export function decodeLokiPush(body: unknown): LokiEntry[] {
  const streams = (body as { streams?: unknown } | null)?.streams;
  if (!Array.isArray(streams)) throw new ReceiverError(400, 'body has no "streams" array');
  const entries: LokiEntry[] = [];
  streams.forEach((stream: { stream?: unknown; values?: unknown }, si) => {
    const labels = stringRecord(stream?.stream, `streams[${si}].stream`);
    if (Object.keys(labels).length === 0) {
      throw new ReceiverError(400, `streams[${si}]: at least one label pair is required per stream`);
    }
    if (!Array.isArray(stream.values)) throw new ReceiverError(400, `streams[${si}].values must be an array`);
    stream.values.forEach((value: unknown, vi) => {
      const where = `streams[${si}].values[${vi}]`;
      if (!Array.isArray(value) || value.length < 2 || value.length > 3) {
        throw new ReceiverError(400, `${where} must be [ts, line] or [ts, line, metadata]`);
      }
      const [ts, line, meta] = value as [unknown, unknown, unknown];
      if (typeof ts !== 'string' || !/^\d+$/.test(ts)) {
        throw new ReceiverError(
          400,
          `${where}[0] must be a string of unix nanoseconds, got ${JSON.stringify(ts)}`,
        );
      }
      if (typeof line !== 'string') throw new ReceiverError(400, `${where}[1] (line) must be a string`);
      const entry: LokiEntry = { labels, timestampNs: ts, line };
      const trimmed = line.trimStart();
      if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
        try {
          entry.json = JSON.parse(line);
        } catch {
          // not JSON: leave json undefined
        }
      }
      if (meta !== undefined) entry.metadata = stringRecord(meta, `${where}[2] (structured metadata)`);
      entries.push(entry);
    });
  });
  return entries;
}

export class LokiReceiver extends ReceiverServer {
  readonly name = 'loki';
  entries: LokiEntry[] = [];

  constructor(opts?: ReceiverOptions) {
    super(opts);
  }

  /** The push endpoint (`${url}/loki/api/v1/push`). */
  get pushUrl(): string {
    return `${this.url}/loki/api/v1/push`;
  }

  /** Entries whose labels include all the given pairs. */
  withLabels(match: Record<string, string>): LokiEntry[] {
    return this.entries.filter((e) => Object.entries(match).every(([k, v]) => e.labels[k] === v));
  }

  protected summary(): string {
    return `entries=${this.entries.length}`;
  }

  protected clearData(): void {
    this.entries = [];
  }

  protected handle(req: IncomingBody): HandlerResult {
    if (req.path !== '/loki/api/v1/push') throw new ReceiverError(404, `no route ${req.path}`);
    if (req.method !== 'POST') throw new ReceiverError(405, `method ${req.method} not allowed`);
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType === 'application/x-protobuf' || contentType === '') {
      throw new ReceiverError(
        415,
        `content-type "${contentType || '(none: Loki assumes protobuf)'}" refused: this test Loki only ` +
          'decodes JSON pushes (content-type: application/json)',
      );
    }
    if (contentType !== 'application/json') {
      throw new ReceiverError(415, `unsupported content-type "${contentType}" (expected application/json)`);
    }
    const bytes = decodeContentEncoding(req.raw, req.headers['content-encoding']);
    let body: unknown;
    try {
      body = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw new ReceiverError(400, `body is not JSON: ${(err as Error).message}`);
    }
    const entries = decodeLokiPush(body);
    return { status: 204, commit: () => this.entries.push(...entries) };
  }
}

export async function startLokiReceiver(opts?: ReceiverOptions): Promise<LokiReceiver> {
  return new LokiReceiver(opts).listen();
}
