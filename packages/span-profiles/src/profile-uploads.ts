/**
 * Profile uploads with a deadline and an outcome, one exporter per profile kind. `@pyroscope/nodejs` 0.6.4
 * uploads without a deadline and swallows failures into `debug`, and its continuous profiler waits for one
 * upload before the next and before the last profile at `stop()`: a Pyroscope that never answers would stall
 * both. Here the SDK's own request (pyroscope-sdk-internals.ts) goes out with `AbortSignal.timeout`, and the
 * outcome, with the server's answer on an error, goes to `onUpload`. Never rejects: the SDK has no handler.
 */
import type { ProfileExport, ProfileExporter, SdkExporter } from './pyroscope-sdk-internals.js';

export type ProfileKind = 'wall' | 'heap';

export type UploadOutcome =
  | { profile: ProfileKind; ok: true }
  /** `status` and the server's answer (one line) when Pyroscope refused; otherwise the transport error. */
  | { profile: ProfileKind; ok: false; status?: number; reason: string };

export interface UploadOptions {
  timeoutMs: number;
  /** Replaces the SDK's sample rate in the URL (see pyroscope-sdk-internals.ts: PR #232). */
  sampleRate?: number;
  onUpload: (outcome: UploadOutcome) => void;
  warn: (message: string) => void;
}

const MAX_REASON_CHARS = 300;

export function uploadingExporter(
  sdk: SdkExporter,
  profile: ProfileKind,
  options: UploadOptions,
): ProfileExporter {
  return {
    async export(profileExport: ProfileExport): Promise<void> {
      const headers = sdk.buildRequestHeaders();
      let outcome: UploadOutcome;
      try {
        headers.set('content-type', 'application/octet-stream');
        const url = sdk.buildEndpointUrl({ ...profileExport, sampleRate: options.sampleRate });
        const response = await fetch(url, {
          method: 'POST',
          headers,
          body: await sdk.buildUploadProfileBody(profileExport.profile),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        const answer = (await response.text()).replace(/\s+/g, ' ').trim().slice(0, MAX_REASON_CHARS);
        outcome = response.ok
          ? { profile, ok: true }
          : { profile, ok: false, status: response.status, reason: answer || response.statusText };
      } catch (error) {
        outcome = { profile, ok: false, reason: describe(error, options.timeoutMs) };
      }
      if (!outcome.ok) outcome.reason = redact(outcome.reason, headers);
      try {
        options.onUpload(outcome);
      } catch (error) {
        options.warn(`onUpload threw: ${describe(error, options.timeoutMs)}`);
      }
    },
  };
}

/** The default `onUpload`: one warning when a kind's uploads start failing, one when they work again. */
export function warnOnChange(warn: (message: string) => void): (outcome: UploadOutcome) => void {
  const failing = new Set<ProfileKind>();
  return (outcome) => {
    if (outcome.ok) {
      if (failing.delete(outcome.profile)) warn(`${outcome.profile} profile uploads work again`);
    } else if (!failing.has(outcome.profile)) {
      failing.add(outcome.profile);
      const status = outcome.status === undefined ? '' : ` (HTTP ${outcome.status})`;
      warn(
        `${outcome.profile} profile upload failed${status}: ${outcome.reason}; not repeated until one works`,
      );
    }
  };
}

function describe(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = error.cause as { message?: string; code?: string } | undefined;
  const detail = cause?.message || cause?.code;
  return detail ? `${error.message}: ${detail}` : error.message;
}

/** Whatever the server or the runtime said, the credentials of the request never appear in it. */
function redact(text: string, headers: Headers): string {
  const [scheme, credentials = ''] = (headers.get('authorization') ?? '').split(' ');
  const decoded = scheme === 'Basic' ? Buffer.from(credentials, 'base64').toString('utf8') : '';
  const password = decoded.slice(decoded.indexOf(':') + 1);
  return [credentials, password]
    .filter((secret) => secret.length > 0)
    .reduce((redacted, secret) => redacted.split(secret).join('***'), text);
}
