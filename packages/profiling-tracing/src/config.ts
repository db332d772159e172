/**
 * Telemetry configuration, read once from the environment and validated before anything starts.
 *
 * A malformed value stops start-up with a `ConfigError` naming the variable and the value; the caller
 * prints its one-line message and exits 1. Unset variables take the defaults documented in the README.
 */

import {
  ConfigError,
  parseBoolean,
  parseInteger,
  parseOneOf,
  parseUrl,
  readVariable as read,
  type Env,
} from '@rideshare/env-config';

export { ConfigError };

export type TracesExporterName = 'jaeger' | 'otlp' | 'console' | 'none';
export type SpanLabelMode = 'async-context' | 'global' | 'off';

export interface TelemetryConfig {
  serviceName: string;
  /** OTEL_SDK_DISABLED=true: no SDK, no profiler; logs go to stdout only. */
  sdkDisabled: boolean;
  /** DEBUG_TRACER=1 prints spans to stdout, one line each, instead of sending them. */
  debugTracer: boolean;
  /** DEBUG_TRACER=full prints the SDK's full dump of each span instead of one line. */
  debugTracerFormat: 'line' | 'full';
  tracesExporters: TracesExporterName[];
  /** Batching of exported spans (the standard OTEL_BSP_* variables) and where Jaeger is. */
  spans: {
    maxQueueSize: number;
    maxExportBatchSize: number;
    scheduledDelayMs: number;
    exportTimeoutMs: number;
    /** OTEL_EXPORTER_JAEGER_ENDPOINT (Thrift over HTTP), else the UDP agent at `jaegerAgent`. */
    jaegerEndpoint: string | undefined;
    jaegerAgent: { host: string; port: number };
    /** TRACE_CONNECTION_ATTRIBUTES: `drop` (default) the HTTP attributes that describe the socket, or `keep`. */
    connectionAttributes: 'drop' | 'keep';
  };
  /** BACKEND_REPORT_INTERVAL_MS: a backend that keeps failing is reported at most this often. */
  backendReportIntervalMs: number;
  pyroscope: {
    enabled: boolean;
    serverAddress: string;
    applicationName: string;
    /** PYROSCOPE_AUTH_TOKEN: a bearer token. */
    authToken: string | undefined;
    /** PYROSCOPE_BASIC_AUTH_USER / PYROSCOPE_BASIC_AUTH_PASSWORD, both or neither, not with a token. */
    basicAuth: { user: string; password: string } | undefined;
    /** PYROSCOPE_TENANT_ID: sent as `X-Scope-OrgID` to a multi-tenant Pyroscope. */
    tenantId: string | undefined;
    flushIntervalMs: number;
    samplingIntervalMicros: number;
    samplingDurationMs: number;
    collectCpuTime: boolean;
    /** PYROSCOPE_UPLOAD_TIMEOUT_MS: an upload without an answer by then counts as failed. */
    uploadTimeoutMs: number;
    spanLabels: SpanLabelMode;
  };
  logs: {
    level: string;
    lokiUrl: string | undefined;
    /** How often buffered log records are pushed to Loki. */
    lokiBatchIntervalMs: number;
    /** LOKI_MAX_BUFFERED_RECORDS: records kept while Loki is slow or down; the oldest go first. */
    lokiMaxBufferedRecords: number;
    /** LOKI_PUSH_TIMEOUT_MS: a push without an answer by then failed (and is retried). */
    lokiPushTimeoutMs: number;
    /** LOKI_MAX_LINE_BYTES: Loki's `max_line_size`; longer lines are truncated before they are pushed. */
    lokiMaxLineBytes: number;
    /** LOKI_BASIC_AUTH_USER / LOKI_BASIC_AUTH_PASSWORD, both or neither. */
    lokiBasicAuth: { user: string; password: string } | undefined;
    /** LOKI_TENANT_ID: sent as `X-Scope-OrgID` to a multi-tenant Loki. */
    lokiTenantId: string | undefined;
  };
  shutdownTimeoutMs: number;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const EXPORTERS: readonly TracesExporterName[] = ['jaeger', 'otlp', 'console', 'none'];
const SPAN_LABEL_MODES: readonly SpanLabelMode[] = ['async-context', 'global', 'off'];

function parseExporters(env: Env): TracesExporterName[] {
  const value = read(env, 'OTEL_TRACES_EXPORTER');
  // OTLP by default: Jaeger v2 takes it natively (4318), exporter-jaeger is deprecated upstream, and Thrift
  // costs about three times OTLP's CPU to export (+159 against +52 µs a request, npm run exporter-cost)
  if (value === undefined) return ['otlp'];
  const names = value.split(',').map((s) => s.trim());
  for (const name of names) {
    if (!(EXPORTERS as readonly string[]).includes(name)) {
      throw new ConfigError(
        'OTEL_TRACES_EXPORTER',
        value,
        `names an unknown exporter "${name}" (use ${EXPORTERS.join(', ')})`,
      );
    }
  }
  const chosen = [...new Set(names as TracesExporterName[])];
  return chosen.includes('none') ? ['none'] : chosen;
}

/** The standard OTEL_* variables the SDK reads itself: validated here so a typo fails at start, not later. */
function checkStandardOtelVariables(env: Env): void {
  parseUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  parseUrl(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
}

/**
 * Spans per export when OTEL_BSP_MAX_EXPORT_BATCH_SIZE is unset: 100, not the SDK's (and the spec's) 512.
 * An export encodes its whole batch in one go on the event loop (exporter-jaeger's `spanToThrift` and
 * thriftrw, or the OTLP serializer), and every request in flight waits for it. Measured on the span pipeline
 * alone (bench/src/exporter-cost-worker.ts, 6 paired rounds, 2026-12-04): with batches of 512 the loop was
 * held 13.3 ms at the 99th percentile with Jaeger Thrift (34 ms at most), 6.7 ms with OTLP; with 100, 7.7
 * and 2.9 ms, at the same CPU for Jaeger (159 against 164 µs a request) and about +10 µs a request for
 * OTLP (91 against 80). 100 is also the jaeger-client sender's own flush size (maxSpanBatchSize), so Jaeger
 * gets no more POSTs than before.
 */
export const DEFAULT_MAX_EXPORT_BATCH_SIZE = 100;

/** The batch span processor's settings (OTEL_BSP_*; the SDK's defaults but the batch size) and where Jaeger is. */
function parseSpans(env: Env): TelemetryConfig['spans'] {
  return {
    maxQueueSize: parseInteger(env, 'OTEL_BSP_MAX_QUEUE_SIZE', 2048, { min: 1, max: 1_000_000 }),
    maxExportBatchSize: parseInteger(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', DEFAULT_MAX_EXPORT_BATCH_SIZE, {
      min: 1,
      max: 1_000_000,
    }),
    scheduledDelayMs: parseInteger(env, 'OTEL_BSP_SCHEDULE_DELAY', 5000, { min: 0 }),
    exportTimeoutMs: parseInteger(env, 'OTEL_BSP_EXPORT_TIMEOUT', 30_000, { min: 1 }),
    jaegerEndpoint: parseUrl(env, 'OTEL_EXPORTER_JAEGER_ENDPOINT'),
    jaegerAgent: {
      host: read(env, 'OTEL_EXPORTER_JAEGER_AGENT_HOST') ?? 'localhost',
      port: parseInteger(env, 'OTEL_EXPORTER_JAEGER_AGENT_PORT', 6832, { min: 1, max: 65535 }),
    },
    connectionAttributes: parseOneOf(env, 'TRACE_CONNECTION_ATTRIBUTES', ['drop', 'keep'] as const, 'drop'),
  };
}

/** A user and password given as two variables: both or neither (the password is never echoed). */
function parseBasicAuth(
  env: Env,
  userName: string,
  passwordName: string,
): { user: string; password: string } | undefined {
  const user = read(env, userName);
  const password = read(env, passwordName);
  if (user === undefined && password === undefined) return undefined;
  if (user === undefined) throw new ConfigError(userName, '', `must be set when ${passwordName} is set`);
  if (password === undefined) throw new ConfigError(passwordName, '', `must be set when ${userName} is set`);
  return { user, password };
}

/** Where Pyroscope is and how to authenticate; a credential is never echoed in an error. */
function parsePyroscopeServer(
  env: Env,
): Pick<TelemetryConfig['pyroscope'], 'serverAddress' | 'authToken' | 'basicAuth' | 'tenantId'> {
  const serverAddress = parseUrl(env, 'PYROSCOPE_SERVER_ADDRESS') ?? 'http://localhost:4040';
  const url = new URL(serverAddress);
  if (url.username !== '' || url.password !== '') {
    url.username = '';
    url.password = '';
    throw new ConfigError(
      'PYROSCOPE_SERVER_ADDRESS',
      url.toString().replace(/\/+$/, ''),
      'carries a user and password (not shown here); set PYROSCOPE_BASIC_AUTH_USER and PYROSCOPE_BASIC_AUTH_PASSWORD instead',
    );
  }
  const authToken = read(env, 'PYROSCOPE_AUTH_TOKEN');
  const basicAuth = parseBasicAuth(env, 'PYROSCOPE_BASIC_AUTH_USER', 'PYROSCOPE_BASIC_AUTH_PASSWORD');
  if (authToken !== undefined && basicAuth !== undefined) {
    throw new ConfigError(
      'PYROSCOPE_AUTH_TOKEN',
      '(not shown)',
      'is set together with PYROSCOPE_BASIC_AUTH_USER/_PASSWORD; set one of them (the token would win)',
    );
  }
  return { serverAddress, authToken, basicAuth, tenantId: read(env, 'PYROSCOPE_TENANT_ID') };
}

export interface ConfigDefaults {
  serviceName: string;
}

export function loadConfig(defaults: ConfigDefaults, env: Env = process.env): TelemetryConfig {
  checkStandardOtelVariables(env);
  const serviceName = read(env, 'OTEL_SERVICE_NAME') ?? defaults.serviceName;
  const level = parseOneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info');
  return {
    serviceName,
    sdkDisabled: parseBoolean(env, 'OTEL_SDK_DISABLED', false),
    debugTracer:
      read(env, 'DEBUG_TRACER')?.toLowerCase() === 'full' || parseBoolean(env, 'DEBUG_TRACER', false),
    debugTracerFormat: read(env, 'DEBUG_TRACER')?.toLowerCase() === 'full' ? 'full' : 'line',
    tracesExporters: parseExporters(env),
    spans: parseSpans(env),
    backendReportIntervalMs: parseInteger(env, 'BACKEND_REPORT_INTERVAL_MS', 60_000, {
      min: 100,
      max: 3_600_000,
    }),
    pyroscope: {
      enabled: parseBoolean(env, 'PYROSCOPE_ENABLED', true),
      ...parsePyroscopeServer(env),
      applicationName: read(env, 'PYROSCOPE_APPLICATION_NAME') ?? serviceName,
      flushIntervalMs: parseInteger(env, 'PYROSCOPE_FLUSH_INTERVAL_MS', 60_000, { min: 100 }),
      samplingIntervalMicros: parseInteger(env, 'PYROSCOPE_WALL_SAMPLING_INTERVAL_MICROS', 10_000, {
        min: 100,
        max: 1_000_000,
      }),
      samplingDurationMs: parseInteger(env, 'PYROSCOPE_WALL_SAMPLING_DURATION_MS', 60_000, { min: 100 }),
      collectCpuTime: parseBoolean(env, 'PYROSCOPE_WALL_COLLECT_CPU_TIME', true),
      spanLabels: parseOneOf(env, 'PYROSCOPE_SPAN_LABELS', SPAN_LABEL_MODES, 'async-context'),
      uploadTimeoutMs: parseInteger(env, 'PYROSCOPE_UPLOAD_TIMEOUT_MS', 5000, { min: 100, max: 120_000 }),
    },
    logs: {
      level,
      lokiUrl: parseUrl(env, 'LOKI_URL'),
      lokiBatchIntervalMs: parseInteger(env, 'LOKI_BATCH_INTERVAL_MS', 1000, { min: 50, max: 60_000 }),
      lokiMaxBufferedRecords: parseInteger(env, 'LOKI_MAX_BUFFERED_RECORDS', 10_000, {
        min: 1,
        max: 1_000_000,
      }),
      lokiPushTimeoutMs: parseInteger(env, 'LOKI_PUSH_TIMEOUT_MS', 5000, { min: 100, max: 120_000 }),
      lokiMaxLineBytes: parseInteger(env, 'LOKI_MAX_LINE_BYTES', 256 * 1024, {
        min: 1024,
        max: 64 * 1024 * 1024,
      }),
      lokiBasicAuth: parseBasicAuth(env, 'LOKI_BASIC_AUTH_USER', 'LOKI_BASIC_AUTH_PASSWORD'),
      lokiTenantId: read(env, 'LOKI_TENANT_ID'),
    },
    shutdownTimeoutMs: parseInteger(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, { min: 100, max: 120_000 }),
  };
}
