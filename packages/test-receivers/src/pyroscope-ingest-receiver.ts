// Pyroscope server stand-in: POST /ingest?format=pprof&... with a gzipped pprof body (application/octet-stream,
// as @pyroscope/nodejs sends it) or multipart/form-data with a `profile` field. Answers 200.
import type { Profile } from 'pprof-format';
import { decodePprof, decodeSamples, sampleTypeKeys, type DecodedSample } from './pprof-decoder.js';
import { parsePyroscopeName } from './pyroscope-name.js';
import { parseMultipart } from './multipart.js';
import {
  ReceiverError,
  ReceiverServer,
  decodeContentEncoding,
  type HandlerResult,
  type IncomingBody,
  type ReceiverOptions,
} from './receiver-server.js';

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
  profile: Profile;
  /** `${type}/${unit}` of each sample type. */
  sampleTypes: string[];
  samples: DecodedSample[];
  /** Things a real Pyroscope would complain about or silently fix (e.g. sampleRate not a positive number). */
  problems: string[];
}

export class PyroscopeReceiver extends ReceiverServer {
  readonly name = 'pyroscope';
  uploads: PyroscopeUpload[] = [];

  constructor(opts?: ReceiverOptions) {
    super(opts);
  }

  /** All samples of all uploads (optionally only uploads whose appName matches). */
  allSamples(appName?: string): DecodedSample[] {
    return this.uploads
      .filter((u) => appName === undefined || u.query.appName === appName)
      .flatMap((u) => u.samples);
  }

  protected summary(): string {
    return `uploads=${this.uploads.length} samples=${this.allSamples().length}`;
  }

  protected clearData(): void {
    this.uploads = [];
  }

  protected handle(req: IncomingBody): HandlerResult {
    if (req.path !== '/ingest') throw new ReceiverError(404, `no route ${req.path}`);
    if (req.method !== 'POST') throw new ReceiverError(405, `method ${req.method} not allowed`);
    const raw = Object.fromEntries(req.query.entries());
    const format = raw.format ?? '';
    if (format !== 'pprof')
      throw new ReceiverError(400, `format "${format}" not supported here (only pprof)`);
    const name = raw.name ?? '';
    if (name === '') throw new ReceiverError(400, 'missing name');
    const contentType = req.headers['content-type'] ?? '';
    let bytes = decodeContentEncoding(req.raw, req.headers['content-encoding']);
    if (/^multipart\/form-data/i.test(contentType)) {
      const profilePart = parseMultipart(bytes, contentType).get('profile');
      if (!profilePart) throw new ReceiverError(400, 'multipart body without a "profile" field');
      bytes = profilePart;
    }
    let profile: Profile;
    let samples: DecodedSample[];
    try {
      profile = decodePprof(bytes);
      samples = decodeSamples(profile);
    } catch (err) {
      throw new ReceiverError(400, `cannot decode pprof: ${(err as Error).message}`);
    }
    const num = (v: string | undefined): number => (v === undefined || v.trim() === '' ? NaN : Number(v));
    const query: PyroscopeQuery = {
      name,
      from: num(raw.from),
      until: num(raw.until),
      sampleRate: num(raw.sampleRate),
      spyName: raw.spyName ?? '',
      format,
      ...parsePyroscopeName(name),
      raw,
    };
    const problems: string[] = [];
    if (!(query.sampleRate > 0)) problems.push(`sampleRate is not a positive number: ${raw.sampleRate}`);
    if (!Number.isFinite(query.from) || !Number.isFinite(query.until)) problems.push('from/until missing');
    else if (query.from > query.until) problems.push(`from ${query.from} > until ${query.until}`);
    if (profile.sample.length === 0) problems.push('profile has no samples');
    const upload: PyroscopeUpload = {
      query,
      profile,
      sampleTypes: sampleTypeKeys(profile),
      samples,
      problems,
    };
    return { status: 200, commit: () => this.uploads.push(upload) };
  }
}

export async function startPyroscopeReceiver(opts?: ReceiverOptions): Promise<PyroscopeReceiver> {
  return new PyroscopeReceiver(opts).listen();
}
