/**
 * Profile uploads that are seen and bounded.
 *
 * `@pyroscope/nodejs` 0.6.4 uploads with the global `fetch` and swallows every failure into its `debug`
 * logger, so a Pyroscope that is down is silent. Its continuous profiler also waits for the previous upload
 * before starting another one and before taking the last profile at `stop()`; `fetch` has no deadline of its
 * own short of undici's 300 s header timeout, so a Pyroscope that accepts the connection and never answers
 * would stall uploads for minutes and make shutdown lose the last profile.
 *
 *  - `watchPyroscopeUploads` observes the uploads through undici's public `node:diagnostics_channel`
 *    channels (a response status, or a request error, for `POST <server>/ingest`) and tells the backend's
 *    `BackendHealth`: first failure with the address, rate-limited repeats, recovery.
 *  - `boundPyroscopeExports` gives each upload a deadline: past it, the profiler is told the upload is done
 *    and moves on (the request itself is left to undici), and the failure is reported.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { BackendHealth } from './backend-health.js';
import { TIMED_OUT, within } from './deadline.js';

interface UndiciRequest {
  origin?: unknown;
  path?: unknown;
}

/** Starts watching; returns a function that stops it. */
export function watchPyroscopeUploads(serverAddress: string, health: BackendHealth): () => void {
  const base = new URL(serverAddress);
  const ingestPath = `${base.pathname.replace(/\/+$/, '')}/ingest`;
  const isUpload = (request: UndiciRequest | undefined): boolean => {
    if (request === undefined || typeof request.path !== 'string') return false;
    let origin: string;
    try {
      origin = new URL(String(request.origin)).origin;
    } catch {
      return false;
    }
    return (
      origin === base.origin && (request.path === ingestPath || request.path.startsWith(`${ingestPath}?`))
    );
  };
  const onHeaders = (message: unknown): void => {
    const { request, response } = message as { request?: UndiciRequest; response?: { statusCode?: number } };
    if (!isUpload(request)) return;
    const status = response?.statusCode ?? 0;
    if (status >= 200 && status < 300) health.success();
    else health.failure(new Error(`HTTP ${status}`));
  };
  const onError = (message: unknown): void => {
    const { request, error } = message as { request?: UndiciRequest; error?: unknown };
    if (isUpload(request)) health.failure(error);
  };
  diagnosticsChannel.subscribe('undici:request:headers', onHeaders);
  diagnosticsChannel.subscribe('undici:request:error', onError);
  return () => {
    diagnosticsChannel.unsubscribe('undici:request:headers', onHeaders);
    diagnosticsChannel.unsubscribe('undici:request:error', onError);
  };
}

export interface ProfileExporterLike {
  export(profileExport: unknown): Promise<void>;
}

/**
 * Replaces `exporter.export` with one that resolves after at most `timeoutMs` and never rejects (the SDK's
 * continuous profiler calls `.catch()` without a handler, so a rejection would be unhandled).
 */
export function boundPyroscopeExports(
  exporter: ProfileExporterLike,
  timeoutMs: number,
  onFailure: (error: unknown) => void,
): void {
  const original = exporter.export.bind(exporter);
  exporter.export = async (profileExport: unknown): Promise<void> => {
    const upload = original(profileExport).catch(onFailure);
    if ((await within(upload, timeoutMs)) === TIMED_OUT) {
      onFailure(new Error(`upload got no answer within ${timeoutMs} ms`));
    }
  };
}
