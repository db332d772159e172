/**
 * Telemetry configuration, read once from the environment and validated before anything starts.
 *
 * A malformed value stops start-up with a `ConfigError` naming the variable and the value; the caller
 * prints its one-line message and exits 1. Unset variables take the defaults documented in the README.
 */

export type TracesExporterName = 'jaeger' | 'otlp' | 'console' | 'none';
export type SpanLabelMode = 'async-context' | 'global' | 'off';

export interface TelemetryConfig {
  serviceName: string;
  /** OTEL_SDK_DISABLED=true: no SDK, no profiler; logs go to stdout only. */
  sdkDisabled: boolean;
  /** DEBUG_TRACER=1 prints spans to stdout instead of sending them. */
  debugTracer: boolean;
  tracesExporters: TracesExporterName[];
  pyroscope: {
    enabled: boolean;
    serverAddress: string;
    applicationName: string;
    authToken: string | undefined;
    flushIntervalMs: number;
    samplingIntervalMicros: number;
    samplingDurationMs: number;
    collectCpuTime: boolean;
    spanLabels: SpanLabelMode;
  };
  logs: {
    level: string;
    lokiUrl: string | undefined;
    /** How often buffered log records are pushed to Loki. */
    lokiBatchIntervalMs: number;
  };
  shutdownTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly value: string,
    reason: string,
  ) {
    super(`invalid configuration: ${variable}=${JSON.stringify(value)} ${reason}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const EXPORTERS: readonly TracesExporterName[] = ['jaeger', 'otlp', 'console', 'none'];
const SPAN_LABEL_MODES: readonly SpanLabelMode[] = ['async-context', 'global', 'off'];

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function parseBoolean(env: Env, name: string, fallback: boolean): boolean {
  const value = read(env, name);
  if (value === undefined) return fallback;
  const lower = value.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
  if (['0', 'false', 'no', 'off'].includes(lower)) return false;
  throw new ConfigError(name, value, 'is not a boolean (use true/false or 1/0)');
}

export function parseInteger(
  env: Env,
  name: string,
  fallback: number,
  { min = 0, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {},
): number {
  const value = read(env, name);
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) throw new ConfigError(name, value, 'is not a whole number');
  const n = Number(value);
  if (n < min || n > max) throw new ConfigError(name, value, `is out of range (${min}..${max})`);
  return n;
}

export function parseUrl(env: Env, name: string): string | undefined {
  const value = read(env, name);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, value, 'is not a URL (expected e.g. http://host:port)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, value, 'is not an http(s) URL');
  }
  return value.replace(/\/+$/, '');
}

export function parseOneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = read(env, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, value, `is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function parseExporters(env: Env): TracesExporterName[] {
  const value = read(env, 'OTEL_TRACES_EXPORTER');
  if (value === undefined) return ['jaeger'];
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
  for (const name of [
    'OTEL_BSP_SCHEDULE_DELAY',
    'OTEL_BSP_EXPORT_TIMEOUT',
    'OTEL_BSP_MAX_QUEUE_SIZE',
    'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
  ]) {
    parseInteger(env, name, 0, { min: 0 });
  }
  parseUrl(env, 'OTEL_EXPORTER_JAEGER_ENDPOINT');
  parseInteger(env, 'OTEL_EXPORTER_JAEGER_AGENT_PORT', 6832, { min: 1, max: 65535 });
  parseUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  parseUrl(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
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
    debugTracer: parseBoolean(env, 'DEBUG_TRACER', false),
    tracesExporters: parseExporters(env),
    pyroscope: {
      enabled: parseBoolean(env, 'PYROSCOPE_ENABLED', true),
      serverAddress: parseUrl(env, 'PYROSCOPE_SERVER_ADDRESS') ?? 'http://localhost:4040',
      applicationName: read(env, 'PYROSCOPE_APPLICATION_NAME') ?? serviceName,
      authToken: read(env, 'PYROSCOPE_AUTH_TOKEN'),
      flushIntervalMs: parseInteger(env, 'PYROSCOPE_FLUSH_INTERVAL_MS', 60_000, { min: 100 }),
      samplingIntervalMicros: parseInteger(env, 'PYROSCOPE_WALL_SAMPLING_INTERVAL_MICROS', 10_000, {
        min: 100,
        max: 1_000_000,
      }),
      samplingDurationMs: parseInteger(env, 'PYROSCOPE_WALL_SAMPLING_DURATION_MS', 60_000, { min: 100 }),
      collectCpuTime: parseBoolean(env, 'PYROSCOPE_WALL_COLLECT_CPU_TIME', true),
      spanLabels: parseOneOf(env, 'PYROSCOPE_SPAN_LABELS', SPAN_LABEL_MODES, 'async-context'),
    },
    logs: {
      level,
      lokiUrl: parseUrl(env, 'LOKI_URL'),
      lokiBatchIntervalMs: parseInteger(env, 'LOKI_BATCH_INTERVAL_MS', 1000, { min: 50, max: 60_000 }),
    },
    shutdownTimeoutMs: parseInteger(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, { min: 100, max: 120_000 }),
  };
}
