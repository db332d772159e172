/**
 * The demo's profiling: pyroscope-span-profiles configured from the PYROSCOPE_* variables, with every
 * upload's outcome told to one `BackendHealth` per profile kind (CPU profiles, heap profiles), and the
 * naive global labels (naive-global-labels.ts) when PYROSCOPE_SPAN_LABELS=global asks for the comparison.
 */
import type { ContextManager } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LocalRootSpanProcessor, startSpanProfiles, type UploadOutcome } from 'pyroscope-span-profiles';
import type { SpanLabelMode, TelemetryConfig } from './config.js';
import { BackendHealth, BackendRejection, type Report } from './backend-health.js';
import { GlobalLabelContextManager } from './naive-global-labels.js';

export interface Profiling {
  /** The span-label mode in force (`off` where the runtime cannot label correctly). */
  spanLabels: SpanLabelMode;
  spanProcessor: SpanProcessor;
  contextManager: ContextManager;
  stop(): Promise<void>;
}

export interface ProfilingOptions {
  config: TelemetryConfig['pyroscope'];
  tags: Record<string, string>;
  reportIntervalMs: number;
  /** Start-up warnings and backend reports. */
  report: Report;
}

export async function startProfiling(options: ProfilingOptions): Promise<Profiling> {
  const { config, report } = options;
  const health = (data: string) =>
    new BackendHealth({
      backend: 'pyroscope',
      address: config.serverAddress,
      data,
      reportIntervalMs: options.reportIntervalMs,
      report,
    });
  const kinds = { wall: health('CPU profiles'), heap: health('heap profiles') };
  const onUpload = (outcome: UploadOutcome) => {
    const kind = kinds[outcome.profile];
    if (outcome.ok) kind.success();
    else if (outcome.status !== undefined) kind.failure(new BackendRejection(outcome.status, outcome.reason));
    else kind.failure(new Error(outcome.reason));
  };
  const spanProfiles = await startSpanProfiles({
    appName: config.applicationName,
    serverAddress: config.serverAddress,
    tags: options.tags,
    authToken: config.authToken,
    basicAuthUser: config.basicAuth?.user,
    basicAuthPassword: config.basicAuth?.password,
    tenantID: config.tenantId,
    flushIntervalMs: config.flushIntervalMs,
    samplingIntervalMicros: config.samplingIntervalMicros,
    samplingDurationMs: config.samplingDurationMs,
    collectCpuTime: config.collectCpuTime,
    uploadTimeoutMs: config.uploadTimeoutMs,
    spanLabels: config.spanLabels === 'async-context' ? 'async-context' : 'off',
    warn: (message) => report('warn', message, {}),
    onUpload,
  });
  if (config.spanLabels !== 'global') return spanProfiles;
  return {
    spanLabels: 'global',
    spanProcessor: new LocalRootSpanProcessor({ setProfileId: true }),
    contextManager: new GlobalLabelContextManager(),
    stop: () => spanProfiles.stop(),
  };
}
