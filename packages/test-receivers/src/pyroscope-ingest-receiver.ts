// Pyroscope server stand-in for the legacy `POST /ingest?format=pprof&name=app{k=v}&from&until&spyName&
// sampleRate` (body: gzipped pprof as application/octet-stream, as @pyroscope/nodejs sends it, or
// multipart/form-data with a `profile` field). It counts series and applies the limits the way Pyroscope
// v1.18.1 does (see pyroscope-series.ts, pyroscope-validate.ts, pyroscope-limits.ts) and answers what the
// server answers:
//
// - 200, empty body, when the profile is taken;
// - 400 `{"code":"invalid_argument","message":"name: ..."}` for a bad `name` (ingest_handler.go);
// - 413 when the body is over `distributor.ingestion-body-limit-mb`;
// - 422 `{"code":"unknown","message":"..."}` for everything the push path refuses: the legacy handler
//   answers any error of the push with http.StatusUnprocessableEntity (pkg/ingester/pyroscope/
//   ingest_handler.go ServeHTTP: `httputil.ErrorWithStatus(w, err, http.StatusUnprocessableEntity)`), with
//   the wrapped message `pushing IngestInput-pprof failed push series with index 0 and id  failed:
//   <connect code>: <reason>` (ingest_adapter.go parseToPprof, distributor.go PushBatch). That includes the
//   active-series limit (`resource_exhausted: Maximum active series limit exceeded (5000/5000), ...`) and the
//   rate limit. The 429 a client sees for resource_exhausted comes from the connect API
//   (`/push.v1.PusherService/Push`, connect maps resource_exhausted to 429), not from /ingest.
// - 401 `{"code":"unauthenticated","message":"no org id"}` without `X-Scope-OrgID` when multi-tenant
//   (pkg/util/http.go AuthenticateUser).
import { gunzipSync } from 'node:zlib';
import type { Profile } from 'pprof-format';
import { goJsonLine, humanizeIBytes } from './go-format.js';
import { parseMultipart } from './multipart.js';
import { decodePprof, decodeSamples, sampleTypeKeys, type DecodedSample } from './pprof-decoder.js';
import { ingestSeriesLabels, parseNameOrReject, type LabelPairs } from './pyroscope-labelset.js';
import { MIB, PYROSCOPE_DEFAULT_LIMITS, seriesLimit, type PyroscopeLimits } from './pyroscope-limits.js';
import { parsePyroscopeName } from './pyroscope-name.js';
import {
  ActiveSeries,
  SPAN_ID_LABEL,
  PROFILE_ID_LABEL,
  isSpanId,
  normalizeSamples,
  profileTypeSeries,
  splitSampleSeries,
} from './pyroscope-series.js';
import { PyroscopeValidationError, validateProfile } from './pyroscope-validate.js';
import {
  ReceiverError,
  ReceiverServer,
  decodeContentEncoding,
  type HandlerResult,
  type IncomingBody,
  type ReceiverOptions,
} from './receiver-server.js';
import { TenantRateLimiter } from './token-bucket.js';

export interface PyroscopeQuery {
  /** Raw `name`, e.g. `rideshare{region=eu-north,service_name=rideshare}`. */
  name: string;
  /** Unix seconds; NaN when missing or not a number. */
  from: number;
  until: number;
  /** NaN when missing or not a number (e.g. the literal `NaN` a misconfigured SDK sends). */
  sampleRate: number;
  spyName: string;
  format: string;
  /** Part of `name` before `{`. */
  appName: string;
  /** Parsed from `{k=v,...}` in `name`. */
  tags: Record<string, string>;
  /** Every query parameter as sent. */
  raw: Record<string, string>;
}

export interface PyroscopeUpload {
  query: PyroscopeQuery;
  /** The profile as sent (before the server's validation and normalization). */
  profile: Profile;
  /** `${type}/${unit}` of each sample type. */
  sampleTypes: string[];
  /** The samples as sent. */
  samples: DecodedSample[];
  /** Things a real Pyroscope would complain about or silently fix (e.g. sampleRate not a positive number). */
  problems: string[];
  tenant: string;
  /** The series this upload wrote to (one per sample label group × sample type), as label records. */
  series: Record<string, string>[];
}

export interface PyroscopeReceiverOptions extends ReceiverOptions {
  /** Limits that differ from Pyroscope's defaults (PYROSCOPE_DEFAULT_LIMITS). */
  limits?: Partial<PyroscopeLimits>;
  /** Clock for the rate limiter, the ingestion window and series expiry (ms); default Date.now. */
  clock?: () => number;
}

const JSON_HEADERS = { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' };
/** connectgrpc.HTTPToCode of the status ErrorWithStatus is called with. */
const CODE_OF_STATUS: Record<number, string> = {
  400: 'invalid_argument',
  401: 'unauthenticated',
  413: 'invalid_argument',
  422: 'unknown',
};

/** httputil.ErrorWithStatus: `{"code": ..., "message": ...}`. */
function serverError(status: number, message: string, reason?: string): ReceiverError {
  return new ReceiverError(status, message, {
    body: goJsonLine({ code: CODE_OF_STATUS[status] ?? 'unknown', message }),
    headers: JSON_HEADERS,
    ...(reason !== undefined && { reason }),
  });
}

/** An error of ParseToPprof (the profile could not be read), answered 422. */
const parseFailed = (message: string, reason?: string) =>
  serverError(422, `parsing IngestInput-pprof failed ${message}`, reason);

/** An error of the distributor's or ingester's push, answered 422. */
const pushFailed = (connectCode: string, message: string, reason?: string) =>
  serverError(
    422,
    `pushing IngestInput-pprof failed push series with index 0 and id  failed: ${connectCode}: ${message}`,
    reason,
  );

const toRecord = (pairs: LabelPairs) => Object.fromEntries(pairs);

/** The pprof bytes, gunzipped when they start with the gzip magic, or 'too large' past `maxSize` (0: none). */
function inflate(bytes: Buffer, maxSize: number): Buffer | 'too large' {
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  let plain: Buffer;
  try {
    plain = gzipped ? gunzipSync(bytes, maxSize > 0 ? { maxOutputLength: maxSize + 1 } : {}) : bytes;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return 'too large';
    throw parseFailed(`invalid_argument: gzip: ${(err as Error).message}`, 'malformed_profile');
  }
  return maxSize > 0 && plain.length > maxSize ? 'too large' : plain;
}

export class PyroscopeReceiver extends ReceiverServer {
  readonly name = 'pyroscope';
  /** pkg/tenant DefaultTenantID: the tenant of every request when multi-tenancy is off. */
  protected override readonly defaultTenant = 'anonymous';
  readonly limits: Readonly<PyroscopeLimits>;
  /** Uploads the server took, in order. */
  uploads: PyroscopeUpload[] = [];
  readonly #clock: () => number;
  readonly #activeSeries: ActiveSeries;
  readonly #rate: TenantRateLimiter;

  constructor(opts: PyroscopeReceiverOptions = {}) {
    super(opts);
    this.limits = Object.freeze({ ...PYROSCOPE_DEFAULT_LIMITS, ...opts.limits });
    this.#clock = opts.clock ?? Date.now;
    this.#activeSeries = new ActiveSeries(
      () => seriesLimit(this.limits),
      () => this.limits.activeSeriesTimeoutMs,
    );
    this.#rate = new TenantRateLimiter(
      this.limits.ingestionRateMB * MIB,
      this.limits.ingestionBurstSizeMB * MIB,
    );
  }

  /** All samples of all uploads (optionally only uploads whose appName matches). */
  allSamples(appName?: string): DecodedSample[] {
    return this.uploads
      .filter((u) => appName === undefined || u.query.appName === appName)
      .flatMap((u) => u.samples);
  }

  /** The active series (all tenants, or one), optionally only those of one `service_name`. */
  seriesLabelSets(serviceName?: string, tenant?: string): Record<string, string>[] {
    return this.#activeSeries
      .labelSets(tenant, this.#clock())
      .map(toRecord)
      .filter((labels) => serviceName === undefined || labels['service_name'] === serviceName);
  }

  /** How many active series (all tenants, or one), optionally only those of one `service_name`. */
  seriesCount(serviceName?: string, tenant?: string): number {
    return this.seriesLabelSets(serviceName, tenant).length;
  }

  protected summary(): string {
    return `uploads=${this.uploads.length} samples=${this.allSamples().length} series=${this.seriesCount()} rejected=${this.rejections.length}`;
  }

  protected clearData(): void {
    this.uploads = [];
    this.#activeSeries.clear();
    this.#rate.clear();
  }

  protected override noOrgIdAnswer(): ReceiverError {
    return serverError(401, 'no org id', 'unauthorized');
  }

  protected handle(req: IncomingBody): HandlerResult {
    if (req.path !== '/ingest' && req.path !== '/pyroscope/ingest')
      throw new ReceiverError(404, `no route ${req.path}`);
    if (req.method !== 'POST') throw new ReceiverError(405, `method ${req.method} not allowed`);
    const limits = this.limits;
    const now = this.#clock();
    // ingest_handler.go ServeHTTP: the name first, then the body (read through the body-size limit)
    const raw = Object.fromEntries(req.query.entries());
    const name = raw.name ?? '';
    const labelSet = parseNameOrReject(name, (message) => serverError(400, message, 'invalid_labels'));
    if (limits.ingestionBodyLimitMB > 0 && req.raw.length > limits.ingestionBodyLimitMB * MIB) {
      throw serverError(
        413,
        'request body too large: http: request body too large',
        'body_size_limit_exceeded',
      );
    }
    const format = raw.format ?? '';
    const contentType = req.headers['content-type'] ?? '';
    const multipart = /multipart\/form-data/i.test(contentType);
    if (format !== 'pprof' && !(format === '' && multipart)) {
      throw new ReceiverError(400, `format "${format}" is not modelled by this test Pyroscope (only pprof)`);
    }

    let bytes = decodeContentEncoding(req.raw, req.headers['content-encoding']);
    if (multipart) {
      let parts: Map<string, Buffer>;
      try {
        parts = parseMultipart(bytes, contentType);
      } catch (err) {
        throw parseFailed(`failed to parse pprof /ingest multipart form ${(err as Error).message}`);
      }
      if (parts.has('prev_profile')) {
        throw parseFailed(
          'failed to parse pprof /ingest multipart form unsupported client version. ' +
            'Please update github.com/grafana/pyroscope-go to the latest version',
        );
      }
      bytes = parts.get('profile') ?? Buffer.alloc(0);
    }
    // an empty profile is accepted and dropped (ingest_adapter.go: "empty profile")
    if (bytes.length === 0) return { status: 200 };

    // pprof.RawFromBytesWithLimit: gunzip (if gzipped) up to the size limit, then decode
    const maxSize = limits.maxProfileSizeBytes;
    const plain = inflate(bytes, maxSize);
    if (plain === 'too large') {
      throw parseFailed(
        `invalid_argument: decompressed size exceeds maximum allowed size of ${maxSize} bytes`,
        'profile_size_limit',
      );
    }
    let sent: Profile;
    let profile: Profile;
    let samples: DecodedSample[];
    try {
      sent = decodePprof(plain);
      samples = decodeSamples(sent);
      profile = decodePprof(plain);
    } catch (err) {
      throw parseFailed(`invalid_argument: ${(err as Error).message}`, 'malformed_profile');
    }

    const query = this.#query(name, raw, format);
    const problems = this.#problems(query, samples, sent);
    // fixTime: a profile without a time (or from 1970) gets the upload's `from`
    if (
      BigInt(profile.timeNanos) === 0n ||
      new Date(Number(BigInt(profile.timeNanos) / 1_000_000n)).getUTCFullYear() === 1970
    ) {
      const from = Number.isFinite(query.from) ? query.from * 1000 : now;
      profile.timeNanos = BigInt(Math.trunc(from)) * 1_000_000n;
    }
    const strings = profile.stringTable.strings;
    const sampleTypeNames = profile.sampleType.map((t) => strings[Number(t.type)] ?? '');
    const seriesLabels = ingestSeriesLabels(labelSet, sampleTypeNames, query.spyName || 'unknown');

    // distributor.go pushSeries: rate limit on labels + uncompressed profile, then validation
    const requestBytes =
      seriesLabels.reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0) + plain.length;
    const bucket = this.#rate.bucket(req.tenant, now);
    if (!bucket.allows(now, requestBytes)) {
      throw pushFailed(
        'resource_exhausted',
        `push rate limit (${humanizeIBytes(limits.ingestionRateMB * MIB)}) exceeded while adding ${humanizeIBytes(requestBytes)}`,
        'rate_limited',
      );
    }
    const takeTokens = () => bucket.take(now, requestBytes);
    const refuse = (error: ReceiverError, extra: () => void = () => undefined): HandlerResult => ({
      status: error.status,
      body: error.answer.body!,
      headers: error.answer.headers!,
      rejection: {
        message: error.message,
        ...(error.answer.reason !== undefined && { reason: error.answer.reason }),
      },
      commit: () => {
        takeTokens();
        extra();
      },
    });

    let seriesSets: LabelPairs[];
    try {
      const fixes = validateProfile(limits, profile, plain.length, seriesLabels, now);
      if (fixes.truncatedStacks > 0)
        problems.push(`${fixes.truncatedStacks} stacks cut to ${limits.maxProfileStacktraceDepth} frames`);
      if (fixes.truncatedStrings > 0)
        problems.push(`${fixes.truncatedStrings} strings cut to ${limits.maxProfileSymbolValueLength} bytes`);
      normalizeSamples(profile);
      seriesSets = splitSampleSeries(limits, profile, seriesLabels).flatMap((group) =>
        profileTypeSeries(profile, group.labels),
      );
    } catch (err) {
      if (err instanceof PyroscopeValidationError)
        return refuse(pushFailed('invalid_argument', err.message, err.reason));
      throw err;
    }

    const upload: PyroscopeUpload = {
      query,
      profile: sent,
      sampleTypes: sampleTypeKeys(sent),
      samples,
      problems,
      tenant: req.tenant,
      series: seriesSets.map(toRecord),
    };
    const verdict = this.#activeSeries.wouldAdmit(req.tenant, seriesSets, now);
    if (verdict.refused !== undefined) {
      const { active, limit } = verdict.refused;
      return refuse(
        pushFailed(
          'resource_exhausted',
          `Maximum active series limit exceeded (${active}/${limit}), reduce the number of active streams ` +
            '(reduce labels or reduce label values), or contact your administrator to see if the limit can be increased',
          'series_limit',
        ),
        // the series admitted before the refused one stay active (pyroscope-series.ts, step 4)
        () => this.#activeSeries.admit(req.tenant, seriesSets, now),
      );
    }
    return {
      status: 200,
      commit: () => {
        takeTokens();
        this.#activeSeries.admit(req.tenant, seriesSets, now);
        this.uploads.push(upload);
      },
    };
  }

  #query(name: string, raw: Record<string, string>, format: string): PyroscopeQuery {
    const num = (v: string | undefined): number => (v === undefined || v.trim() === '' ? NaN : Number(v));
    return {
      name,
      from: num(raw.from),
      until: num(raw.until),
      sampleRate: num(raw.sampleRate),
      spyName: raw.spyName ?? '',
      format,
      ...parsePyroscopeName(name),
      raw,
    };
  }

  #problems(query: PyroscopeQuery, samples: DecodedSample[], profile: Profile): string[] {
    const problems: string[] = [];
    // ingest_handler.go: a sampleRate that is not an integer is logged and replaced by 100
    if (!(query.sampleRate > 0) || !Number.isInteger(query.sampleRate)) {
      problems.push(`sampleRate is not a positive number: ${query.raw.sampleRate}`);
    }
    if (!Number.isFinite(query.from) || !Number.isFinite(query.until)) problems.push('from/until missing');
    else if (query.from > query.until) problems.push(`from ${query.from} > until ${query.until}`);
    if (profile.sample.length === 0) problems.push('profile has no samples');
    const badSpanIds = samples.filter((s) => {
      const id = s.labels[SPAN_ID_LABEL] ?? s.labels[PROFILE_ID_LABEL];
      return id !== undefined && !isSpanId(id);
    }).length;
    if (badSpanIds > 0) {
      // pkg/pprof/pprof.go decodeSpanID: not 16 hex characters → stored without a span (span id 0)
      problems.push(
        `${badSpanIds} samples have a span_id that is not 16 hex characters (kept without a span)`,
      );
    }
    return problems;
  }
}

export async function startPyroscopeReceiver(opts?: PyroscopeReceiverOptions): Promise<PyroscopeReceiver> {
  return new PyroscopeReceiver(opts).listen();
}
