/**
 * A misspelled variable is silently ignored by every SDK (`PYROSCOPE_SAMPLING_INTERVAL_MS=abc` starts
 * normally, at the default rate). At start, each `PYROSCOPE_*`, `LOKI_*` or `OTEL_*` variable that nothing in
 * the process reads gets one warning naming the closest variable that is read.
 *
 * The names read are ours (config.ts) and those the dependencies read themselves: `@pyroscope/nodejs` 0.6.4
 * (dist/esm/utils/get-env.js) and the OpenTelemetry JS SDK 2.x packages installed here (their
 * `getStringFromEnv`/`getNumberFromEnv` calls). The package test scans the installed dependencies for the
 * names they contain, so an upgrade that reads a new variable fails the test until it is listed here.
 */

/** Variables of ours, read by config.ts (kept in step with it by the package test). */
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

/** Read by the OpenTelemetry JS packages installed here (sdk-node 0.222, SDK 2.11, OTLP exporters). */
export const OTEL_SDK_VARIABLES = [
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_NODE_RESOURCE_DETECTORS',
  'OTEL_PROPAGATORS',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_METRICS_EXPORTER',
  'OTEL_LOGS_EXPORTER',
  'OTEL_LOG_LEVEL',
  'OTEL_SEMCONV_STABILITY_OPT_IN',
  'OTEL_CONFIG_FILE',
  'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_SPAN_EVENT_COUNT_LIMIT',
  'OTEL_SPAN_LINK_COUNT_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT',
  'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_LINK_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_SEV_NUM_FROM_PINO_LEVEL',
  'OTEL_BLRP_SCHEDULE_DELAY',
  'OTEL_BLRP_MAX_QUEUE_SIZE',
  'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE',
  'OTEL_BLRP_EXPORT_TIMEOUT',
  'OTEL_METRIC_EXPORT_INTERVAL',
  'OTEL_METRIC_EXPORT_TIMEOUT',
  'OTEL_METRICS_EXEMPLAR_FILTER',
  'OTEL_NODE_EXPERIMENTAL_SDK_METRICS',
  'OTEL_EXPORTER_PROMETHEUS_HOST',
  'OTEL_EXPORTER_PROMETHEUS_PORT',
  'OTEL_EXPORTER_ZIPKIN_ENDPOINT',
  'OTEL_EXPORTER_JAEGER_USER',
  'OTEL_EXPORTER_JAEGER_PASSWORD',
  'OTEL_EXPORTER_OTLP_INSECURE',
  'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE',
  'OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION',
  ...['', 'TRACES_', 'METRICS_', 'LOGS_'].flatMap((signal) =>
    [
      'PROTOCOL',
      'ENDPOINT',
      'HEADERS',
      'TIMEOUT',
      'COMPRESSION',
      'CERTIFICATE',
      'CLIENT_KEY',
      'CLIENT_CERTIFICATE',
    ].map((setting) => `OTEL_EXPORTER_OTLP_${signal}${setting}`),
  ),
] as const;

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

/** One warning for each checked variable that is set and read by nothing, with the closest known name. */
export function unknownVariableWarnings(env: Record<string, string | undefined>): string[] {
  return Object.keys(env)
    .filter((name) => CHECKED_PREFIXES.some((prefix) => name.startsWith(prefix)))
    .filter((name) => !KNOWN_VARIABLES.has(name))
    .sort()
    .map((name) => {
      const closest = closestKnown(name);
      return `${name} is set but nothing reads it: it has no effect${closest === undefined ? '' : ` (did you mean ${closest}?)`}`;
    });
}
