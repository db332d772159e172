/**
 * Where spans go, chosen by environment:
 *   DEBUG_TRACER=1           → printed to stdout, *instead of* being sent anywhere;
 *   OTEL_TRACES_EXPORTER     → jaeger (default) | otlp | console | none, or a comma-separated list.
 *
 * Jaeger is sent by `@opentelemetry/exporter-jaeger`, which reads OTEL_EXPORTER_JAEGER_ENDPOINT (Thrift
 * over HTTP, what the compose file uses) or OTEL_EXPORTER_JAEGER_AGENT_HOST/_PORT (UDP agent) itself.
 * Sending exporters are batched (OTEL_BSP_* variables apply); printing ones are not, so that a span
 * shows as soon as it ends.
 */
import { JaegerExporter } from '@opentelemetry/exporter-jaeger';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { TelemetryConfig, TracesExporterName } from './config.js';

export type ExporterFactories = Record<Exclude<TracesExporterName, 'none'>, () => SpanExporter>;

const defaultFactories: ExporterFactories = {
  jaeger: () => new JaegerExporter(),
  otlp: () => new OTLPTraceExporter(),
  console: () => new ConsoleSpanExporter(),
};

/** The exporter names in force: DEBUG_TRACER wins over OTEL_TRACES_EXPORTER. */
export function chosenExporters(config: Pick<TelemetryConfig, 'debugTracer' | 'tracesExporters'>) {
  if (config.debugTracer) return ['console'] as const;
  return config.tracesExporters.filter(
    (name): name is Exclude<TracesExporterName, 'none'> => name !== 'none',
  );
}

export function traceExportProcessors(
  config: Pick<TelemetryConfig, 'debugTracer' | 'tracesExporters'>,
  factories: ExporterFactories = defaultFactories,
): SpanProcessor[] {
  return chosenExporters(config).map((name) => {
    const exporter = factories[name]();
    return name === 'console' ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
  });
}
