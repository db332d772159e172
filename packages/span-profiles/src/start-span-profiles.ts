/**
 * `startSpanProfiles`: continuous profiling with `@pyroscope/nodejs`, where every sample taken while a
 * request runs carries its local root span's `span_id` and `span_name`, and that span carries
 * `pyroscope.profile.id`. The caller hands `spanProcessor` and `contextManager` to its own OpenTelemetry SDK.
 *
 * For span labels the wall profiler must keep its sample context in AsyncContextFrame (`useCPED`), which
 * `@pyroscope/nodejs` 0.6.4 never asks for. So `@datadog/pprof`'s `time` profiler is started here with the
 * options the SDK would use plus `useCPED`, *before* `Pyroscope.start()`: the SDK sees a running profiler,
 * keeps it, and does the rest (periodic restart, labels from `context.labels`, pprof encoding, heap profile).
 */
import type { ContextManager } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { time } from '@datadog/pprof';
import Pyroscope from '@pyroscope/nodejs';
import { hasAsyncContextFrame } from './async-context-frame.js';
import { LocalRootSpanProcessor } from './local-roots.js';
import { SpanProfileContextManager } from './span-profile-context-manager.js';
import { uploadingExporter, warnOnChange, type UploadOutcome } from './profile-uploads.js';
import { pyroscopeSdkInternals } from './pyroscope-sdk-internals.js';

export type SpanLabels = 'async-context' | 'off';

export interface SpanProfilesOptions {
  /** Pyroscope application name, the profiles' `service_name`. */
  appName: string;
  /** Pyroscope base URL; default PYROSCOPE_SERVER_ADDRESS, else http://localhost:4040. */
  serverAddress?: string;
  /** Static profile tags. Each is a series label in Pyroscope: keep their values few. */
  tags?: Record<string, string>;
  /** Bearer token; default PYROSCOPE_AUTH_TOKEN. Wins over basic auth. */
  authToken?: string;
  basicAuthUser?: string;
  basicAuthPassword?: string;
  /** Sent as `X-Scope-OrgID`, for a multi-tenant Pyroscope. */
  tenantID?: string;
  /** Time between two uploads; default PYROSCOPE_FLUSH_INTERVAL_MS, else 60000. */
  flushIntervalMs?: number;
  /** Wall profiler sampling interval; default 10000 (100 Hz). */
  samplingIntervalMicros?: number;
  /** Default 60000. */
  samplingDurationMs?: number;
  /** CPU time per sample (profile type `wall:cpu`); default true. */
  collectCpuTime?: boolean;
  /** An upload without an answer by then has failed; default 5000. */
  uploadTimeoutMs?: number;
  /** `off`: profiles without span labels and spans without `pyroscope.profile.id`. Default `async-context`. */
  spanLabels?: SpanLabels;
  /** Default: `console.warn`. */
  warn?(message: string): void;
  /** Every upload's outcome. Default: a warning when a kind's uploads start failing and when they recover. */
  onUpload?(outcome: UploadOutcome): void;
}

export interface SpanProfiles {
  spanProcessor: SpanProcessor;
  contextManager: ContextManager;
  /** The span-label mode in force: `off` where the runtime cannot label correctly. */
  spanLabels: SpanLabels;
  /** Takes and uploads the last profile, then stops profiling. */
  stop(): Promise<void>;
}

export async function startSpanProfiles(options: SpanProfilesOptions): Promise<SpanProfiles> {
  const warn = options.warn ?? ((message: string) => console.warn(`pyroscope-span-profiles: ${message}`));
  let spanLabels = options.spanLabels ?? 'async-context';
  if (spanLabels === 'async-context' && !hasAsyncContextFrame()) {
    spanLabels = 'off';
    warn(
      `span profiles are off: Node ${process.versions.node} has no AsyncContextFrame, so samples cannot ` +
        'be attributed to spans correctly under concurrency (use Node >= 24)',
    );
  }
  if (time.isStarted()) throw new Error('pyroscope-span-profiles: the wall profiler is already running');
  const wall = {
    samplingIntervalMicros: options.samplingIntervalMicros ?? 10_000,
    samplingDurationMs: options.samplingDurationMs ?? 60_000,
    collectCpuTime: options.collectCpuTime ?? true,
  };
  Pyroscope.init({ ...options, wall }); // the SDK takes its own keys only (processConfig)
  const sdk = await pyroscopeSdkInternals();
  const onUpload = options.onUpload ?? warnOnChange(warn);
  const upload = { timeoutMs: options.uploadTimeoutMs ?? 5000, onUpload, warn };
  const sampleRate = Math.ceil(1e6 / wall.samplingIntervalMicros);
  sdk.setExporter('wall', uploadingExporter(sdk.exporter, 'wall', { ...upload, sampleRate }));
  sdk.setExporter('heap', uploadingExporter(sdk.exporter, 'heap', upload));

  const labelled = spanLabels === 'async-context';
  time.start({
    intervalMicros: wall.samplingIntervalMicros,
    durationMillis: wall.samplingDurationMs,
    collectCpuTime: wall.collectCpuTime,
    withContexts: true, // CPU time is recorded per sample context, even without span labels
    useCPED: labelled,
    workaroundV8Bug: true,
  });
  Pyroscope.start();
  return {
    spanProcessor: new LocalRootSpanProcessor({ setProfileId: labelled }),
    contextManager: labelled ? new SpanProfileContextManager() : new AsyncLocalStorageContextManager(),
    spanLabels,
    // 0.6.4's flush timer queues each round with setImmediate: stopping in between would make that round
    // profile a stopped profiler (an unhandled rejection) and re-arm the timer, so let a queued round run first
    stop: () => new Promise((resolve) => setImmediate(resolve)).then(() => Pyroscope.stop()),
  };
}
