/**
 * Continuous profiling with `@pyroscope/nodejs`: a wall profile with CPU time, uploaded to Pyroscope
 * every flush interval, plus its heap profile.
 *
 * For span profiles the wall profiler must keep its sample context in AsyncContextFrame (`useCPED`),
 * which `@pyroscope/nodejs` 0.6.4 never asks for. So we start `@datadog/pprof`'s `time` profiler
 * ourselves, with the options the SDK would use plus `useCPED`, *before* `Pyroscope.start()`: the SDK
 * sees a running profiler, keeps it, and does the rest (periodic stop/restart, label extraction from
 * `context.labels`, pprof encoding, upload, heap profile).
 */
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { time } from '@datadog/pprof';
import Pyroscope from '@pyroscope/nodejs';
import type { TelemetryConfig, SpanLabelMode } from './config.js';
import { hasAsyncContextFrame } from './async-context-frame.js';
import { asyncContextScope, globalScope, offScope, type SpanLabelScope } from './span-label-scopes.js';
import type { BackendHealth } from './backend-health.js';
import {
  boundPyroscopeExports,
  watchPyroscopeUploads,
  type ProfileExporterLike,
} from './pyroscope-uploads.js';

export interface Profiling {
  /** The span-label mode in force (may be `off` where the runtime cannot label correctly). */
  spanLabels: SpanLabelMode;
  scope: SpanLabelScope;
  stop(): Promise<void>;
}

export interface ProfilingOptions {
  config: TelemetryConfig['pyroscope'];
  tags: Record<string, string>;
  warn: (message: string) => void;
  /** Told about every upload's outcome (first failure, rate-limited repeats, recovery). */
  health: BackendHealth;
}

/** The span-label mode that will really be used on this runtime, with the reason when downgraded. */
export function effectiveSpanLabels(requested: SpanLabelMode): { mode: SpanLabelMode; warning?: string } {
  if (requested === 'async-context' && !hasAsyncContextFrame()) {
    return {
      mode: 'off',
      warning:
        `span profiles are off: Node ${process.versions.node} has no AsyncContextFrame, so samples cannot ` +
        'be attributed to spans correctly under concurrency (use Node >= 24)',
    };
  }
  return { mode: requested };
}

export async function startProfiling({ config, tags, warn, health }: ProfilingOptions): Promise<Profiling> {
  const { mode, warning } = effectiveSpanLabels(config.spanLabels);
  if (warning !== undefined) warn(warning);

  time.start({
    intervalMicros: config.samplingIntervalMicros,
    durationMillis: config.samplingDurationMs,
    collectCpuTime: config.collectCpuTime,
    withContexts: true, // CPU time is recorded per sample context, even when span labels are off
    useCPED: mode === 'async-context',
    workaroundV8Bug: true,
  });

  Pyroscope.init({
    appName: config.applicationName,
    serverAddress: config.serverAddress,
    ...(config.authToken !== undefined && { authToken: config.authToken }),
    flushIntervalMs: config.flushIntervalMs,
    tags,
    wall: {
      samplingIntervalMicros: config.samplingIntervalMicros,
      samplingDurationMs: config.samplingDurationMs,
      collectCpuTime: config.collectCpuTime,
    },
  });
  const unwatch = watchPyroscopeUploads(config.serverAddress, health);
  // see theSdkProfiler: the SDK's uploads would be unbounded, and its sample rate wrong
  const sdkProfiler = await theSdkProfiler();
  for (const exporter of new Set([sdkProfiler.wallProfiler.exporter, sdkProfiler.heapProfiler.exporter])) {
    boundPyroscopeExports(exporter, config.uploadTimeoutMs, (error) => health.failure(error));
  }
  Pyroscope.start();
  sdkProfiler.wallProfiler.profiler.lastSamplingIntervalMicros = config.samplingIntervalMicros;

  const scope = mode === 'async-context' ? asyncContextScope : mode === 'global' ? globalScope : offScope;
  return {
    spanLabels: mode,
    scope,
    async stop() {
      try {
        await Pyroscope.stop();
      } finally {
        unwatch();
      }
    },
  };
}

interface SdkProfiler {
  wallProfiler: { profiler: { lastSamplingIntervalMicros?: number }; exporter: ProfileExporterLike };
  heapProfiler: { exporter: ProfileExporterLike };
}

/**
 * The SDK's profiler (after `Pyroscope.init`), for two fixes `@pyroscope/nodejs` 0.6.4 offers no option for:
 *  - it computes the upload's `sampleRate` from the field it set when *it* started the profiler (and from
 *    the sampling duration rather than the interval, giving 17 Hz for a 100 Hz profile). Having started the
 *    profiler ourselves, we set that field to the real interval;
 *  - its uploads have no deadline (see pyroscope-uploads.ts): each exporter's `export` is bounded.
 * The SDK's profiler registry is not exported, so it is reached by file; the dependency is pinned exactly,
 * the wire test checks `sampleRate` in the upload URL and the fault tests check a hanging Pyroscope, so an
 * upgrade that moves either fails loudly.
 */
async function theSdkProfiler(): Promise<SdkProfiler> {
  const entry = createRequire(import.meta.url).resolve('@pyroscope/nodejs');
  const registry = join(dirname(entry), '..', 'esm', 'utils', 'pyroscope-profiler.js');
  const { getProfiler } = (await import(pathToFileURL(registry).href)) as { getProfiler(): SdkProfiler };
  return getProfiler();
}
