// Loki stand-in for `POST /loki/api/v1/push` with the JSON push body (optionally gzip/deflate
// content-encoding). It counts streams and applies the limits the way Loki v3.5.0 does, and answers what
// Loki answers (text/plain bodies, Go's http.Error):
//
// - 204 when everything was taken;
// - 400 with the validation errors (GroupedErrors) when a stream's labels or some entries are refused. The
//   valid entries of the same push are still stored (distributor.go PushWithResolver collects
//   validationErrors, pushes what is valid, then returns the 400);
// - 429 `Ingestion rate limit exceeded for user ...` when the push is over the tenant's rate (nothing stored);
// - 429 `Maximum active stream limit exceeded when trying to create stream ...` when a new stream would pass
//   the tenant's stream limit. The other streams of the push are stored; the ingester returns the outcome of
//   the *last* stream of the push only (pkg/ingester/instance.go Push: "the returned error only reflects
//   what happened to the last stream in the request"), so a refused stream followed by a good one is a 204;
// - 422 `error at least one valid stream is required for ingestion` for a push without streams;
// - 401 `no org id` without `X-Scope-OrgID` when multi-tenant (dskit middleware/http_auth.go).
// Protobuf pushes are not decoded here (415).
import {
  ReceiverError,
  ReceiverServer,
  type HandlerResult,
  type IncomingBody,
  type ReceiverOptions,
} from './receiver-server.js';
import { gunzipSync, inflateRawSync } from 'node:zlib';
import { labelsString } from './go-format.js';
import { LOKI_DEFAULT_LIMITS, streamLimit, type LokiLimits } from './loki-limits.js';
import {
  LokiValidationError,
  entrySize,
  groupedErrors,
  validateEntry,
  validateStreamLabels,
  type LabelPairs,
} from './loki-validate.js';
import { TenantRateLimiter } from './token-bucket.js';

const MiB = 1024 * 1024;

export interface LokiEntry {
  /** The stream's labels as Loki stores them (empty values dropped, `service_name` added when missing). */
  labels: Record<string, string>;
  /** Unix nanoseconds as sent (a decimal string). */
  timestampNs: string;
  line: string;
  /** The line parsed as JSON when it is a JSON object or array. */
  json?: unknown;
  /** Structured metadata (third element of the value), if sent. */
  metadata?: Record<string, string>;
  tenant?: string;
}

/** One stream of a push body, as sent. */
export interface LokiPushStream {
  labels: Record<string, string>;
  entries: { timestampNs: string; line: string; metadata?: Record<string, string> }[];
}

export interface LokiReceiverOptions extends ReceiverOptions {
  /** Limits that differ from Loki's defaults (LOKI_DEFAULT_LIMITS). */
  limits?: Partial<LokiLimits>;
  /** Clock for the rate limiter and the timestamp checks (ms); default Date.now. */
  clock?: () => number;
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

/**
 * Decode a Loki JSON push body into its streams; throws a 400 ReceiverError on what Loki's JSON decoder
 * refuses (the messages are this receiver's own, Loki's come from its JSON library).
 */
export function decodeLokiPushStreams(body: unknown): LokiPushStream[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ReceiverError(400, 'body is not a JSON object');
  const streams = (body as { streams?: unknown }).streams;
  if (streams === undefined || streams === null) return [];
  if (!Array.isArray(streams)) throw new ReceiverError(400, '"streams" must be an array');
  return streams.map((stream: { stream?: unknown; values?: unknown }, si) => {
    const labels = stringRecord(stream?.stream ?? {}, `streams[${si}].stream`);
    const values = stream?.values ?? [];
    if (!Array.isArray(values)) throw new ReceiverError(400, `streams[${si}].values must be an array`);
    const entries = values.map((value: unknown, vi) => {
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
      return {
        timestampNs: ts,
        line,
        ...(meta !== undefined && { metadata: stringRecord(meta, `${where}[2] (structured metadata)`) }),
      };
    });
    return { labels, entries };
  });
}

const parseJsonLine = (line: string): unknown => {
  const trimmed = line.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
};

function toEntry(labels: Record<string, string>, e: LokiPushStream['entries'][number]): LokiEntry {
  const json = parseJsonLine(e.line);
  return {
    labels,
    timestampNs: e.timestampNs,
    line: e.line,
    ...(json !== undefined && { json }),
    ...(e.metadata !== undefined && { metadata: e.metadata }),
  };
}

/** Validate and flatten a Loki JSON push body (labels as sent, no limits applied). */
export function decodeLokiPush(body: unknown): LokiEntry[] {
  return decodeLokiPushStreams(body).flatMap((s) => s.entries.map((e) => toEntry(s.labels, e)));
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const byName = (a: [string, string], b: [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** Go's http.Error: text/plain, nosniff, the message and a newline. */
function lokiError(status: number, message: string, reason?: string): ReceiverError {
  return new ReceiverError(status, message, {
    body: `${message}\n`,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
    ...(reason !== undefined && { reason }),
  });
}

export class LokiReceiver extends ReceiverServer {
  readonly name = 'loki';
  /** pkg/util/fakeauth: the tenant of every request when `auth_enabled` is false. */
  protected override readonly defaultTenant = 'fake';
  readonly limits: Readonly<LokiLimits>;
  /** Entries Loki stored, in order. */
  entries: LokiEntry[] = [];
  /** Lines cut to max_line_size (only with maxLineSizeTruncate). */
  truncatedLines = 0;
  readonly #clock: () => number;
  readonly #rate: TenantRateLimiter;
  /** tenant → stream key → labels */
  #streams = new Map<string, Map<string, Record<string, string>>>();

  constructor(opts: LokiReceiverOptions = {}) {
    super(opts);
    this.limits = Object.freeze({ ...LOKI_DEFAULT_LIMITS, ...opts.limits });
    this.#clock = opts.clock ?? Date.now;
    this.#rate = new TenantRateLimiter(
      this.limits.ingestionRateMB * MiB,
      this.limits.ingestionBurstSizeMB * MiB,
    );
  }

  /** The push endpoint (`${url}/loki/api/v1/push`). */
  get pushUrl(): string {
    return `${this.url}/loki/api/v1/push`;
  }

  /** Entries whose labels include all the given pairs. */
  withLabels(match: Record<string, string>): LokiEntry[] {
    return this.entries.filter((e) => Object.entries(match).every(([k, v]) => e.labels[k] === v));
  }

  /** The label sets of the streams Loki holds (all tenants, or one). */
  streamLabelSets(tenant?: string): Record<string, string>[] {
    const tenants =
      tenant === undefined ? [...this.#streams.values()] : [this.#streams.get(tenant) ?? new Map()];
    return tenants.flatMap((streams) => [...streams.values()]);
  }

  /** How many streams Loki holds (all tenants, or one). */
  streamCount(tenant?: string): number {
    return this.streamLabelSets(tenant).length;
  }

  protected summary(): string {
    return `entries=${this.entries.length} streams=${this.streamCount()} rejected=${this.rejections.length}`;
  }

  protected clearData(): void {
    this.entries = [];
    this.truncatedLines = 0;
    this.#streams.clear();
    this.#rate.clear();
  }

  protected override noOrgIdAnswer(): ReceiverError {
    return lokiError(401, 'no org id', 'unauthorized');
  }

  protected handle(req: IncomingBody): HandlerResult {
    if (req.path !== '/loki/api/v1/push') throw new ReceiverError(404, `no route ${req.path}`);
    if (req.method !== 'POST') throw new ReceiverError(405, `method ${req.method} not allowed`);
    const streams = this.#parse(req);
    const limits = this.limits;
    const now = this.#clock();
    if (streams.length === 0)
      throw lokiError(422, 'error at least one valid stream is required for ingestion', 'missing_streams');

    // distributor.go PushWithResolver: validate every stream and entry, keep what is valid
    const errors: string[] = [];
    const reasons = new Set<string>();
    const refuse = (err: LokiValidationError) => {
      errors.push(err.message);
      reasons.add(err.reason);
    };
    const valid: { key: string; labels: LabelPairs; entries: LokiPushStream['entries'] }[] = [];
    let truncated = 0;
    let validBytes = 0;
    let validLines = 0;
    // push.go ParseLokiRequest parses every stream's labels (and adds service_name) before validation
    const parsed = streams.map((stream) => ({ stream, ...this.#streamLabels(stream.labels) }));
    for (const { stream, labels, text } of parsed) {
      if (stream.entries.length === 0) continue;
      if (limits.maxLineSizeTruncate && limits.maxLineSize > 0) {
        stream.entries = stream.entries.map((e) => {
          const line = Buffer.from(e.line);
          if (line.length <= limits.maxLineSize) return e;
          truncated++;
          return { ...e, line: line.subarray(0, limits.maxLineSize).toString('utf8') };
        });
      }
      try {
        validateStreamLabels(limits, text, labels);
      } catch (err) {
        if (!(err instanceof LokiValidationError)) throw err;
        refuse(err);
        continue;
      }
      const entries = stream.entries.filter((e) => {
        try {
          validateEntry({ limits, nowMs: now, labels }, BigInt(e.timestampNs), e.line, e.metadata);
          return true;
        } catch (err) {
          if (!(err instanceof LokiValidationError)) throw err;
          refuse(err);
          return false;
        }
      });
      if (entries.length === 0) continue;
      for (const e of entries) validBytes += entrySize(e.line, e.metadata);
      validLines += entries.length;
      valid.push({ key: labelsString(labels), labels, entries });
    }
    const validation =
      errors.length === 0 ? undefined : lokiError(400, groupedErrors(errors), [...reasons].join(','));
    const rejectionOf = (e: ReceiverError) => ({
      message: e.message,
      ...(e.answer.reason !== undefined && { reason: e.answer.reason }),
    });
    const answer = (e: ReceiverError | undefined, commit?: () => void): HandlerResult =>
      e === undefined
        ? { status: 204, ...(commit !== undefined && { commit }) }
        : {
            status: e.status,
            body: e.answer.body!,
            headers: e.answer.headers!,
            rejection: rejectionOf(e),
            ...(commit !== undefined && { commit }),
          };
    if (valid.length === 0) return answer(validation);

    const bucket = this.#rate.bucket(req.tenant, now);
    if (!bucket.allows(now, validBytes)) {
      throw lokiError(
        429,
        `Ingestion rate limit exceeded for user ${req.tenant} (limit: ${Math.trunc(limits.ingestionRateMB * MiB)} bytes/sec) ` +
          `while attempting to ingest '${validLines}' lines totaling '${validBytes}' bytes, reduce log volume or ` +
          'contact your Loki administrator to see if the limit can be increased',
        'rate_limited',
      );
    }

    // the ingester: a new stream past the limit is refused; the answer is the last stream's outcome
    const held = this.#streams.get(req.tenant) ?? new Map<string, Record<string, string>>();
    const limit = streamLimit(limits);
    const created = new Set<string>();
    const stored: typeof valid = [];
    let last: ReceiverError | undefined;
    for (const stream of valid) {
      const exists = held.has(stream.key) || created.has(stream.key);
      if (!exists && limit !== 0 && held.size + created.size >= limit) {
        last = lokiError(
          429,
          `Maximum active stream limit exceeded when trying to create stream ${stream.key}, reduce the number of ` +
            'active streams (reduce labels or reduce label values), or contact your Loki administrator to see if ' +
            `the limit can be increased, user: '${req.tenant}'`,
          'stream_limit',
        );
        continue;
      }
      created.add(stream.key);
      stored.push(stream);
      last = undefined;
    }
    const refusedStreams = valid.length - stored.length;
    const commit = () => {
      bucket.take(now, validBytes);
      this.truncatedLines += truncated;
      this.#streams.set(req.tenant, held);
      for (const stream of stored) {
        const labels = Object.fromEntries(stream.labels);
        if (!held.has(stream.key)) held.set(stream.key, labels);
        for (const e of stream.entries) this.entries.push({ ...toEntry(labels, e), tenant: req.tenant });
      }
    };
    if (last !== undefined) return answer(last, commit);
    if (refusedStreams > 0) {
      // refused streams the client is not told about (the last stream went in): still a rejection
      const result = answer(validation, commit);
      return {
        ...result,
        rejection: {
          message: `${refusedStreams} streams refused by the stream limit, answered ${result.status}`,
          reason: 'stream_limit',
        },
      };
    }
    return answer(validation, commit);
  }

  /** Content-Encoding, Content-Type and JSON, as push.go ParseLokiRequest reads them. */
  #parse(req: IncomingBody): LokiPushStream[] {
    const encoding = req.headers['content-encoding'] ?? '';
    let bytes: Buffer;
    try {
      if (encoding === '' || encoding === 'snappy') bytes = req.raw;
      else if (encoding === 'gzip') bytes = gunzipSync(req.raw);
      else if (encoding === 'deflate') bytes = inflateDeflate(req.raw);
      else throw lokiError(400, `Content-Encoding "${encoding}" not supported`);
    } catch (err) {
      if (err instanceof ReceiverError) throw err;
      throw lokiError(400, (err as Error).message);
    }
    const contentType = req.headers['content-type'] ?? '';
    const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
    if (mediaType === '') throw lokiError(400, 'mime: no media type');
    if (mediaType !== 'application/json') {
      throw new ReceiverError(
        415,
        `content-type "${mediaType}": Loki would read a snappy protobuf push; this test Loki only decodes JSON ` +
          'pushes (content-type: application/json)',
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw lokiError(400, `body is not JSON: ${(err as Error).message}`);
    }
    return decodeLokiPushStreams(body);
  }

  /**
   * The stream's labels as Loki keeps them (syntax.ParseLabels: sorted, empty values dropped; service_name
   * discovery) and its label string as the validation messages print it.
   */
  #streamLabels(sent: Record<string, string>): { labels: LabelPairs; text: string } {
    for (const name of Object.keys(sent)) {
      if (!LABEL_NAME.test(name)) {
        // Loki's text comes from the PromQL parser ("couldn't parse labels: 1:2: parse error: ..."); not copied
        throw lokiError(
          400,
          `couldn't parse labels: invalid label name ${JSON.stringify(name)}`,
          'invalid_labels',
        );
      }
    }
    let text = labelsString(Object.entries(sent).sort(byName));
    const labels: LabelPairs = Object.entries(sent)
      .filter(([, v]) => v !== '')
      .sort(byName);
    const discover = this.limits.discoverServiceName;
    if (!labels.some(([n]) => n === 'service_name') && discover.length > 0) {
      let value = 'unknown_service';
      for (const name of discover) {
        const found = labels.find(([n]) => n === name)?.[1];
        if (found !== undefined && found !== '') {
          value = found;
          break;
        }
      }
      labels.push(['service_name', value]);
      labels.sort(byName);
      text = labelsString(labels);
    }
    return { labels, text };
  }
}

/** `deflate` as Go's flate.NewReader reads it: raw DEFLATE (RFC 1951), not zlib-wrapped data. */
function inflateDeflate(raw: Buffer): Buffer {
  return inflateRawSync(raw);
}

export async function startLokiReceiver(opts?: LokiReceiverOptions): Promise<LokiReceiver> {
  return new LokiReceiver(opts).listen();
}
