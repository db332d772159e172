// The Loki limits that refuse (or cut) pushed logs, with the defaults of grafana/loki v3.5.0
// (pkg/validation/limits.go RegisterFlags; flag names in the comments).

export interface LokiLimits {
  /**
   * `ingester.max-global-streams-per-user` [5000]. An ingester enforces global / healthy ingesters ×
   * replication factor (pkg/ingester/limiter.go calculateLimitForSingleZone); the single binary has one
   * ingester and replication factor 1, so the local limit is the global one. 0 disables.
   */
  maxGlobalStreamsPerUser: number;
  /** `ingester.max-streams-per-user` [0 = off]; the lesser non-zero of the two applies. */
  maxLocalStreamsPerUser: number;
  /** `validation.max-label-names-per-series` [15]; a `service_name` label is not counted (validator.go). */
  maxLabelNamesPerSeries: number;
  /** `validation.max-length-label-name` [1024] bytes. */
  maxLabelNameLength: number;
  /** `validation.max-length-label-value` [2048] bytes. */
  maxLabelValueLength: number;
  /** `distributor.max-line-size` [256KB = 262144 bytes: flagext.ByteSize parses KB as 1024]. 0 disables. */
  maxLineSize: number;
  /** `distributor.max-line-size-truncate` [false]: cut longer lines to maxLineSize instead of refusing them. */
  maxLineSizeTruncate: boolean;
  /** `distributor.ingestion-rate-limit-mb` [4] MiB/s per tenant (lines + structured metadata). Infinity disables. */
  ingestionRateMB: number;
  /** `distributor.ingestion-burst-size-mb` [6] MiB: a bigger single push is always refused. */
  ingestionBurstSizeMB: number;
  /** `validation.reject-old-samples` [true]. */
  rejectOldSamples: boolean;
  /** `validation.reject-old-samples.max-age` [7d]. */
  rejectOldSamplesMaxAgeMs: number;
  /** `validation.create-grace-period` [10m]: entries newer than now + this are refused. */
  creationGracePeriodMs: number;
  /** `validation.allow-structured-metadata` [true]. */
  allowStructuredMetadata: boolean;
  /** `limits.max-structured-metadata-size` [64kb = 65536 bytes] per entry (names + values). 0 disables. */
  maxStructuredMetadataSize: number;
  /** `limits.max-structured-metadata-entries-count` [128] per entry. 0 disables. */
  maxStructuredMetadataEntriesCount: number;
  /**
   * `validation.discover-service-name`: a stream without `service_name` gets the value of the first of these
   * labels it has, else `unknown_service` (pkg/loghttp/push/push.go ParseLokiRequest). Empty: no label added.
   */
  discoverServiceName: readonly string[];
}

const DAY = 24 * 60 * 60_000;

export const LOKI_DEFAULT_LIMITS: Readonly<LokiLimits> = Object.freeze({
  maxGlobalStreamsPerUser: 5000,
  maxLocalStreamsPerUser: 0,
  maxLabelNamesPerSeries: 15,
  maxLabelNameLength: 1024,
  maxLabelValueLength: 2048,
  maxLineSize: 256 * 1024,
  maxLineSizeTruncate: false,
  ingestionRateMB: 4,
  ingestionBurstSizeMB: 6,
  rejectOldSamples: true,
  rejectOldSamplesMaxAgeMs: 7 * DAY,
  creationGracePeriodMs: 10 * 60_000,
  allowStructuredMetadata: true,
  maxStructuredMetadataSize: 64 * 1024,
  maxStructuredMetadataEntriesCount: 128,
  discoverServiceName: Object.freeze([
    'service',
    'app',
    'application',
    'app_name',
    'name',
    'app_kubernetes_io_name',
    'container',
    'container_name',
    'k8s_container_name',
    'component',
    'workload',
    'job',
    'k8s_job_name',
  ]),
});

/** The stream limit one ingester enforces: the lesser non-zero of local and global (0 = none). */
export function streamLimit(limits: LokiLimits): number {
  const { maxLocalStreamsPerUser: local, maxGlobalStreamsPerUser: global } = limits;
  if (local === 0) return global;
  if (global === 0) return local;
  return Math.min(local, global);
}
