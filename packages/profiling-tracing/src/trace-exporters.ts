/**
 * Where spans go, chosen by environment:
 *   DEBUG_TRACER=1           → printed to stdout, *instead of* being sent anywhere;
 *   OTEL_TRACES_EXPORTER     → otlp (default) | jaeger | console | none, or a comma-separated list.
 *
 * OTLP is sent by `@opentelemetry/exporter-trace-otlp-proto` (protobuf over HTTP) to OTEL_EXPORTER_OTLP_ENDPOINT
 * (+ `/v1/traces`; Jaeger v2 takes it on 4318, what the compose file uses). Jaeger Thrift is sent by
 * `@opentelemetry/exporter-jaeger` to OTEL_EXPORTER_JAEGER_ENDPOINT or OTEL_EXPORTER_JAEGER_AGENT_HOST/_PORT
 * (UDP agent), with the resource in the Process rather than in every span's tags (jaeger-process-exporter.ts).
 * Sending exporters are batched (OTEL_BSP_* variables apply); printing ones are not, so that a span
 * shows as soon as it ends.
 *
 * Each sending exporter is wrapped so its failures are reported once with its address, then rate-limited,
 * and each export has a deadline; its batch queue is bounded and drops the oldest spans, counted
 * (span-delivery.ts).
 */
import { createRequire } from 'node:module';
import type * as OtlpProto from '@opentelemetry/exporter-trace-otlp-proto';
import {
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { TelemetryConfig, TracesExporterName } from './config.js';
import { BackendHealth, DropCounter, type Report } from './backend-health.js';
import { DropOldestBatchSpanProcessor, ReportingSpanExporter } from './span-delivery.js';
import { JaegerProcessExporter } from './jaeger-process-exporter.js';
import { SpanLineExporter } from './span-line-exporter.js';
import { ConnectionAttributesDroppingExporter } from './connection-attributes.js';

export type ExporterFactories = Record<Exclude<TracesExporterName, 'none'>, () => SpanExporter>;

type ExportConfig = Pick<
  TelemetryConfig,
  'debugTracer' | 'debugTracerFormat' | 'tracesExporters' | 'spans' | 'backendReportIntervalMs'
>;

/** How long exporter-jaeger's shutdown waits for its last flush (its default, 2 s, is an un-cleared timer). */
const JAEGER_SHUTDOWN_FLUSH_MS = 500;

/**
 * The OTLP exporter, loaded only when it is chosen (as exporter-jaeger is, jaeger-process-exporter.ts): with
 * DEBUG_TRACER or Jaeger its protobuf encoder and exporter base stay out of the process, measured 1.1 MB of
 * heap and about 2 MB of RSS per process (2026-12-03). The package is CommonJS (no `exports` map), so
 * `require` loads the same module an `import` would, synchronously, as the factories are.
 */
function newOtlpExporter(): SpanExporter {
  const { OTLPTraceExporter } = createRequire(import.meta.url)(
    '@opentelemetry/exporter-trace-otlp-proto',
  ) as typeof OtlpProto;
  return new OTLPTraceExporter();
}

function defaultFactories(
  spans: TelemetryConfig['spans'],
  debugFormat: TelemetryConfig['debugTracerFormat'],
): ExporterFactories {
  const trimmed = (exporter: SpanExporter): SpanExporter =>
    spans.connectionAttributes === 'drop' ? new ConnectionAttributesDroppingExporter(exporter) : exporter;
  return {
    jaeger: () =>
      trimmed(
        new JaegerProcessExporter({
          ...(spans.jaegerEndpoint !== undefined
            ? { endpoint: spans.jaegerEndpoint }
            : { host: spans.jaegerAgent.host, port: spans.jaegerAgent.port }),
          flushTimeout: JAEGER_SHUTDOWN_FLUSH_MS,
        }),
      ),
    otlp: () => trimmed(newOtlpExporter()),
    console: () => (debugFormat === 'full' ? new ConsoleSpanExporter() : new SpanLineExporter()),
  };
}

/** Where an exporter sends, for reports. */
export function exporterAddress(name: 'jaeger' | 'otlp', config: ExportConfig, env = process.env): string {
  if (name === 'jaeger') {
    const { jaegerEndpoint, jaegerAgent } = config.spans;
    return jaegerEndpoint ?? `udp://${jaegerAgent.host}:${jaegerAgent.port}`;
  }
  const traces = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim();
  const base = env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim();
  return traces || (base ? `${base.replace(/\/+$/, '')}/v1/traces` : 'http://localhost:4318/v1/traces');
}

/**
 * Where spans go, said once at start: a span sent over UDP gets no answer, so a missing Jaeger agent can
 * never be reported; HTTP exporters report every failure (span-delivery.ts).
 */
export function spanDestinations(config: ExportConfig, env = process.env): string[] {
  const chosen = chosenExporters(config);
  if (chosen.length === 0) return ['spans are not exported (OTEL_TRACES_EXPORTER=none)'];
  return chosen.map((name) => {
    if (name === 'console') {
      return config.debugTracer
        ? 'spans are printed to stdout, one line each (DEBUG_TRACER), and not sent anywhere'
        : 'spans are printed to stdout, one line each (OTEL_TRACES_EXPORTER=console)';
    }
    const address = exporterAddress(name, config, env);
    if (name === 'otlp') return `spans go to OTLP (HTTP/protobuf) at ${address}; failures are reported`;
    if (config.spans.jaegerEndpoint !== undefined) {
      return `spans go to Jaeger (Thrift over HTTP) at ${address}; failures are reported`;
    }
    return (
      `spans go to a Jaeger agent over UDP at ${address}: UDP gets no answer, so if nothing listens there ` +
      'the spans are lost without an error; set OTEL_EXPORTER_JAEGER_ENDPOINT ' +
      '(e.g. http://localhost:14268/api/traces) to send over HTTP, where failures are reported'
    );
  });
}

/** The exporter names in force: DEBUG_TRACER wins over OTEL_TRACES_EXPORTER. */
export function chosenExporters(config: Pick<TelemetryConfig, 'debugTracer' | 'tracesExporters'>) {
  if (config.debugTracer) return ['console'] as const;
  return config.tracesExporters.filter(
    (name): name is Exclude<TracesExporterName, 'none'> => name !== 'none',
  );
}

export function traceExportProcessors(
  config: ExportConfig,
  factories: ExporterFactories = defaultFactories(config.spans, config.debugTracerFormat),
  report: Report = () => undefined,
): SpanProcessor[] {
  return chosenExporters(config).map((name) => {
    const exporter = factories[name]();
    if (name === 'console') return new SimpleSpanProcessor(exporter);
    const { spans, backendReportIntervalMs } = config;
    const health = new BackendHealth({
      backend: name,
      address: exporterAddress(name, config),
      data: 'spans',
      reportIntervalMs: backendReportIntervalMs,
      report,
    });
    const drops = new DropCounter({
      queue: `${name}-spans`,
      describe: (n) =>
        `dropped the ${n} oldest spans for ${name}: its queue of ${spans.maxQueueSize} is full`,
      reportIntervalMs: backendReportIntervalMs,
      report,
    });
    return new DropOldestBatchSpanProcessor(
      new ReportingSpanExporter(exporter, health, spans.exportTimeoutMs),
      {
        maxQueueSize: spans.maxQueueSize,
        maxExportBatchSize: Math.min(spans.maxExportBatchSize, spans.maxQueueSize),
        scheduledDelayMillis: spans.scheduledDelayMs,
        // the wrapper's deadline answers first; the processor's own is a backstop
        exportTimeoutMillis: spans.exportTimeoutMs + 1000,
      },
      drops,
    );
  });
}
