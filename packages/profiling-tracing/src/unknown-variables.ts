/**
 * A misspelled variable is silently ignored by every SDK (`PYROSCOPE_SAMPLING_INTERVAL_MS=abc` starts
 * normally, at the default rate). At start, each `PYROSCOPE_*`, `LOKI_*` or `OTEL_*` variable that nothing in
 * the process reads gets one warning naming the closest variable that is read; a standard OpenTelemetry
 * variable that this demo does not use (metrics, OpenTelemetry logs, exporters it does not have) gets one
 * warning saying why instead.
 *
 * The names read are ours (config.ts, trace-sdk.ts) and those the dependencies read themselves:
 * `@pyroscope/nodejs` 0.6.4 (dist/esm/utils/get-env.js) and the OpenTelemetry JS packages this package
 * depends on, with their own dependencies (their `getStringFromEnv`/`getNumberFromEnv` calls). The package
 * test scans exactly those packages, so an upgrade that reads a new variable fails the test until it is
 * listed here, and one listed as not used that a dependency starts reading fails it too.
 */

/** Variables of ours, read by config.ts and trace-sdk.ts (kept in step with them by the package test). */
export const OUR_VARIABLES = [
  'OTEL_SDK_DISABLED',
  'OTEL_SERVICE_NAME',
  'OTEL_TRACES_EXPORTER',
  'OTEL_BSP_MAX_QUEUE_SIZE',
  'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
  'OTEL_BSP_SCHEDULE_DELAY',
  'OTEL_BSP_EXPORT_TIMEOUT',
  'OTEL_EXPORTER_JAEGER_ENDPOINT',
  'OTEL_EXPORTER_JAEGER_AGENT_HOST',
  'OTEL_EXPORTER_JAEGER_AGENT_PORT',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  // read by trace-sdk.ts as NodeSDK read them, since sdk-node is no longer used
  'OTEL_LOG_LEVEL',
  'OTEL_PROPAGATORS',
  'OTEL_NODE_RESOURCE_DETECTORS',
  'PYROSCOPE_ENABLED',
  'PYROSCOPE_SERVER_ADDRESS',
  'PYROSCOPE_APPLICATION_NAME',
  'PYROSCOPE_AUTH_TOKEN',
  'PYROSCOPE_BASIC_AUTH_USER',
  'PYROSCOPE_BASIC_AUTH_PASSWORD',
  'PYROSCOPE_TENANT_ID',
  'PYROSCOPE_FLUSH_INTERVAL_MS',
  'PYROSCOPE_WALL_SAMPLING_INTERVAL_MICROS',
  'PYROSCOPE_WALL_SAMPLING_DURATION_MS',
  'PYROSCOPE_WALL_COLLECT_CPU_TIME',
  'PYROSCOPE_SPAN_LABELS',
  'PYROSCOPE_UPLOAD_TIMEOUT_MS',
  'LOKI_URL',
  'LOKI_BATCH_INTERVAL_MS',
  'LOKI_MAX_BUFFERED_RECORDS',
  'LOKI_PUSH_TIMEOUT_MS',
  'LOKI_MAX_LINE_BYTES',
  'LOKI_BASIC_AUTH_USER',
  'LOKI_BASIC_AUTH_PASSWORD',
  'LOKI_TENANT_ID',
] as const;

/** Read by `@pyroscope/nodejs` 0.6.4 itself (dist/esm/utils/get-env.js). */
export const PYROSCOPE_SDK_VARIABLES = [
  'PYROSCOPE_ADHOC_SERVER_ADDRESS',
  'PYROSCOPE_HEAP_SAMPLING_INTERVAL_BYTES',
  'PYROSCOPE_HEAP_STACK_DEPTH',
  'PYROSCOPE_STRIP_FILENAMES',
  'PYROSCOPE_SHORTEN_PATHS',
] as const;

/** What the OTLP exporter base reads per signal (`OTEL_EXPORTER_OTLP_[<SIGNAL>_]<SETTING>`, built at run time). */
const OTLP_SETTINGS = [
  'ENDPOINT',
  'HEADERS',
  'TIMEOUT',
  'COMPRESSION',
  'CERTIFICATE',
  'CLIENT_KEY',
  'CLIENT_CERTIFICATE',
];

/**
 * Read by the OpenTelemetry packages installed for this one (trace SDK 2.11, resources, the HTTP, Express
 * and pino instrumentations, exporter-jaeger, the OTLP trace exporter 0.222).
 */
export const OTEL_SDK_VARIABLES = [
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_SEMCONV_STABILITY_OPT_IN',
  'OTEL_SEV_NUM_FROM_PINO_LEVEL',
  'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_SPAN_EVENT_COUNT_LIMIT',
  'OTEL_SPAN_LINK_COUNT_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT',
  'OTEL_EXPORTER_JAEGER_USER',
  'OTEL_EXPORTER_JAEGER_PASSWORD',
  ...['', 'TRACES_'].flatMap((signal) =>
    OTLP_SETTINGS.map((setting) => `OTEL_EXPORTER_OTLP_${signal}${setting}`),
  ),
] as const;

const NO_METRICS = 'this demo sends no OpenTelemetry metrics';
const NO_OTEL_LOGS = 'this demo sends no OpenTelemetry log records (its logs go from pino to Loki: LOKI_URL)';

/**
 * Standard variables nothing here reads, each with the reason. `NodeSDK`, which this package used before,
 * listed most of them, but with the readers and processors it was given it did not act on them either.
 */
export const NOT_USED_VARIABLES: ReadonlyMap<string, string> = new Map([
  ...[
    'OTEL_METRICS_EXPORTER',
    'OTEL_METRIC_EXPORT_INTERVAL',
    'OTEL_METRIC_EXPORT_TIMEOUT',
    'OTEL_METRICS_EXEMPLAR_FILTER',
    'OTEL_NODE_EXPERIMENTAL_SDK_METRICS',
    'OTEL_EXPORTER_PROMETHEUS_HOST',
    'OTEL_EXPORTER_PROMETHEUS_PORT',
    'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
    'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE',
    'OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION',
    ...OTLP_SETTINGS.map((setting) => `OTEL_EXPORTER_OTLP_METRICS_${setting}`),
  ].map((name) => [name, NO_METRICS] as const),
  ...[
    'OTEL_LOGS_EXPORTER',
    'OTEL_BLRP_SCHEDULE_DELAY',
    'OTEL_BLRP_MAX_QUEUE_SIZE',
    'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE',
    'OTEL_BLRP_EXPORT_TIMEOUT',
    'OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT',
    'OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT',
    'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL',
    ...OTLP_SETTINGS.map((setting) => `OTEL_EXPORTER_OTLP_LOGS_${setting}`),
  ].map((name) => [name, NO_OTEL_LOGS] as const),
  ...['OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'].map(
    (name) => [name, 'the OTLP span exporter here always sends http/protobuf'] as const,
  ),
  [
    'OTEL_EXPORTER_OTLP_INSECURE',
    'only gRPC exporters read it; the OTLP span exporter here is http/protobuf',
  ],
  [
    'OTEL_EXPORTER_ZIPKIN_ENDPOINT',
    'there is no Zipkin exporter here (OTEL_TRACES_EXPORTER: jaeger, otlp, console, none)',
  ],
  ['OTEL_CONFIG_FILE', 'there is no file configuration here: the OTEL_* variables configure the SDK'],
  [
    'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT',
    'the JS trace SDK reads OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT instead',
  ],
  [
    'OTEL_LINK_ATTRIBUTE_COUNT_LIMIT',
    'the JS trace SDK reads OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT instead',
  ],
]);

/** Variables something in the process reads: no warning. */
export const KNOWN_VARIABLES: ReadonlySet<string> = new Set<string>([
  ...OUR_VARIABLES,
  ...PYROSCOPE_SDK_VARIABLES,
  ...OTEL_SDK_VARIABLES,
]);

const CHECKED_PREFIXES = ['PYROSCOPE_', 'LOKI_', 'OTEL_'];

/** Edit distance (insert, delete, substitute, swap two neighbours), on whole names. */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * How unlike two names are: the edit distance, less what the words they share make up for, so that
 * `PYROSCOPE_SAMPLING_INTERVAL_MS` finds `PYROSCOPE_WALL_SAMPLING_INTERVAL_MICROS` rather than a name of
 * the same length with other words.
 */
function unlikeness(name: string, known: string): number {
  const words = new Set(known.split('_'));
  const shared = name.split('_').filter((word) => words.has(word));
  return distance(name, known) - shared.reduce((sum, word) => sum + word.length, 0) / 2;
}

/** The known variable closest to `name`, preferring one with the same prefix. */
export function closestKnown(name: string, known: Iterable<string> = KNOWN_VARIABLES): string | undefined {
  const prefix = CHECKED_PREFIXES.find((p) => name.startsWith(p));
  let best: { name: string; score: number } | undefined;
  for (const candidate of known) {
    const score =
      unlikeness(name, candidate) + (prefix !== undefined && !candidate.startsWith(prefix) ? 5 : 0);
    if (best === undefined || score < best.score) best = { name: candidate, score };
  }
  return best?.name;
}

/**
 * One warning for each checked variable that is set and read by nothing: why, for a standard variable this
 * demo does not use, else the closest known name.
 */
export function unknownVariableWarnings(env: Record<string, string | undefined>): string[] {
  return Object.keys(env)
    .filter((name) => CHECKED_PREFIXES.some((prefix) => name.startsWith(prefix)))
    .filter((name) => !KNOWN_VARIABLES.has(name))
    .sort()
    .map((name) => {
      const reason = NOT_USED_VARIABLES.get(name);
      if (reason !== undefined) return `${name} is set but this demo does not use it: ${reason}`;
      const closest = closestKnown(name);
      return `${name} is set but nothing reads it: it has no effect${closest === undefined ? '' : ` (did you mean ${closest}?)`}`;
    });
}
