/**
 * The OpenTelemetry trace SDK, set up as `NodeSDK.start()` (`@opentelemetry/sdk-node` 0.222, build/src/sdk.js)
 * set it up for this demo, from `NodeTracerProvider` (`@opentelemetry/sdk-trace-node`) and
 * `registerInstrumentations` (`@opentelemetry/instrumentation`). Importing sdk-node loads the metrics and
 * logs SDKs, their OTLP, Prometheus and Zipkin exporters, the B3 and Jaeger propagators and the file
 * configuration package, none of which this demo uses: 5–7 MB of RSS per process (measured on rideshare).
 *
 * What `NodeSDK` did with our options, and what is kept here:
 *  - OTEL_LOG_LEVEL (read in its constructor): a console `diag` logger at that level. Kept.
 *  - the instrumentations: registered. Kept, with our provider given directly (NodeSDK let them reach it
 *    through the global proxy).
 *  - the context manager: enabled and made global. Kept (`NodeTracerProvider.register`).
 *  - the propagator from OTEL_PROPAGATORS (`tracecontext`, `baggage`, `b3`, `b3multi`, `jaeger`, `none`),
 *    W3C trace context + baggage when unset. Kept, same rules (utils.js getPropagatorFromEnv); B3 and
 *    Jaeger are imported only when asked for. An unknown name is reported here (NodeSDK told only `diag`).
 *  - the resource: ours (`service.name`, `region`) merged with what the detectors find — env
 *    (OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME), process and host by default, or the list in
 *    OTEL_NODE_RESOURCE_DETECTORS (`env`, `host`, `os`, `process`, `serviceinstance`, `all`, `none`). Kept,
 *    same order, and detected attributes still win over ours, as in NodeSDK's merge.
 *  - the sampler (OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG) and span limits (OTEL_SPAN_*_LIMIT,
 *    OTEL_ATTRIBUTE_*_LIMIT) from the environment: `BasicTracerProvider` 2.11 reads the same variables
 *    itself, with the same defaults (sdk-trace-base build/src/config.js and utility.js), so none is passed.
 *  - the span processors, in our order. Kept.
 *  - shutdown: the provider's (all processors). Kept; the instrumentations are disabled after it too
 *    (NodeSDK left them patched), so nothing is traced once nothing can be exported.
 *
 * Left out, and why:
 *  - the MeterProvider: NodeSDK created none either, given `metricReaders: []`.
 *  - the global LoggerProvider with no processors that `logRecordProcessors: []` gave: nothing here emits
 *    OpenTelemetry log records (the pino instrumentation runs with `disableLogSending`; logs go to Loki).
 *  - exporters built from OTEL_METRICS_EXPORTER, OTEL_LOGS_EXPORTER, OTEL_TRACES_EXPORTER: NodeSDK did not
 *    read them either once given readers and processors; ours come from config.ts. unknown-variables.ts
 *    warns about the metrics and logs variables as not used by this demo.
 *  - OTEL_SDK_DISABLED: config.ts reads it, and then nothing of the SDK is started at all.
 */
import {
  diag,
  DiagConsoleLogger,
  type Attributes,
  type ContextManager,
  type TextMapPropagator,
} from '@opentelemetry/api';
import {
  CompositePropagator,
  diagLogLevelFromString,
  getStringFromEnv,
  getStringListFromEnv,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import {
  detectResources,
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
  type ResourceDetector,
} from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Report } from './backend-health.js';

export interface TraceSdkOptions {
  /** Our resource attributes (`service.name`, `region`); detected attributes are merged over them. */
  attributes: Attributes;
  contextManager: ContextManager;
  /** In the order they see each span. */
  spanProcessors: SpanProcessor[];
  instrumentations: Instrumentation[];
  /** Where an unknown propagator or detector name is reported. */
  report: Report;
}

export interface TraceSdk {
  provider: NodeTracerProvider;
  /** Shuts the span processors down (flushing what they hold), then disables the instrumentations. */
  shutdown(): Promise<void>;
}

export async function startTraceSdk(options: TraceSdkOptions): Promise<TraceSdk> {
  const logLevel = getStringFromEnv('OTEL_LOG_LEVEL');
  if (logLevel !== undefined) {
    diag.setLogger(new DiagConsoleLogger(), { logLevel: diagLogLevelFromString(logLevel) });
  }
  const resource = resourceFromAttributes(options.attributes).merge(
    detectResources({ detectors: resourceDetectorsFromEnv(options.report) }),
  );
  const propagator = await propagatorFromEnv(options.report);
  const provider = new NodeTracerProvider({ resource, spanProcessors: options.spanProcessors });
  // null: OTEL_PROPAGATORS asked for none (NodeSDK registered none either)
  provider.register({ contextManager: options.contextManager, propagator });
  const disableInstrumentations = registerInstrumentations({
    instrumentations: options.instrumentations,
    tracerProvider: provider,
  });
  return {
    provider,
    shutdown: async () => {
      try {
        await provider.shutdown();
      } finally {
        disableInstrumentations();
      }
    },
  };
}

/** NodeSDK's names for the detectors, in the order its `all` runs them (utils.js). */
const DETECTORS: ReadonlyMap<string, ResourceDetector> = new Map([
  ['host', hostDetector],
  ['os', osDetector],
  ['serviceinstance', serviceInstanceIdDetector],
  ['process', processDetector],
  ['env', envDetector],
]);

/** NodeSDK's default when OTEL_NODE_RESOURCE_DETECTORS is unset (sdk.js constructor). */
const DEFAULT_DETECTORS = [envDetector, processDetector, hostDetector];

export function resourceDetectorsFromEnv(report: Report): ResourceDetector[] {
  // unset or blank: the default (as sdk-node, through core's getStringFromEnv)
  const names = getStringListFromEnv('OTEL_NODE_RESOURCE_DETECTORS');
  if (names === undefined) return DEFAULT_DETECTORS;
  if (names.includes('all')) return [...DETECTORS.values()];
  if (names.includes('none')) return [];
  return names.flatMap((name) => {
    const detector = DETECTORS.get(name);
    if (detector === undefined) {
      report('warn', `OTEL_NODE_RESOURCE_DETECTORS names an unknown detector "${name}": ignored`, {
        known: [...DETECTORS.keys(), 'all', 'none'],
      });
      return [];
    }
    return [detector];
  });
}

/**
 * The propagator OTEL_PROPAGATORS asks for: undefined for the default (W3C trace context + baggage), null
 * for none (`none`, or no name that exists).
 */
export async function propagatorFromEnv(report: Report): Promise<TextMapPropagator | null | undefined> {
  const names = getStringListFromEnv('OTEL_PROPAGATORS');
  if (names === undefined) return undefined;
  if (names.includes('none')) return null;
  const propagators: TextMapPropagator[] = [];
  const unique = [...new Set(names)];
  for (const name of unique) {
    const propagator = await propagatorNamed(name);
    if (propagator === undefined) {
      report('warn', `OTEL_PROPAGATORS names an unknown propagator "${name}": ignored`, {
        known: ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger', 'none'],
      });
    } else {
      propagators.push(propagator);
    }
  }
  if (propagators.length === 0) return null;
  // as NodeSDK: one name alone is that propagator itself
  if (unique.length === 1) return propagators[0];
  return new CompositePropagator({ propagators });
}

async function propagatorNamed(name: string): Promise<TextMapPropagator | undefined> {
  switch (name) {
    case 'tracecontext':
      return new W3CTraceContextPropagator();
    case 'baggage':
      return new W3CBaggagePropagator();
    case 'b3':
      return new (await import('@opentelemetry/propagator-b3')).B3Propagator();
    case 'b3multi': {
      const { B3Propagator, B3InjectEncoding } = await import('@opentelemetry/propagator-b3');
      return new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER });
    }
    case 'jaeger':
      diag.warn(
        'The Jaeger propagator is deprecated and will be removed in a future release. Use the W3C TraceContext propagator ("tracecontext") instead.',
      );
      return new (await import('@opentelemetry/propagator-jaeger')).JaegerPropagator();
    default:
      return undefined;
  }
}
