// The Pyroscope limits that refuse (or cut) ingested data, with the defaults of grafana/pyroscope v1.18.1
// (pkg/validation/limits.go RegisterFlags; flag names in the comments).

export interface PyroscopeLimits {
  /**
   * `ingester.max-global-series-per-tenant` [5000]. Each ingester enforces global / healthy ingesters ×
   * replication factor (pkg/ingester/limiter.go convertGlobalToLocalLimit); the single binary runs one
   * ingester with replication factor 1 (pkg/pyroscope/pyroscope.go), so the local limit is the global one.
   * 0 disables.
   */
  maxGlobalSeriesPerTenant: number;
  /** `ingester.max-local-series-per-tenant` [0 = off]; the lesser non-zero of the two applies. */
  maxLocalSeriesPerTenant: number;
  /** A series not written to for this long stops counting (pkg/ingester/limiter.go activeSeriesTimeout) [10 min]. */
  activeSeriesTimeoutMs: number;
  /** `validation.max-label-names-per-series` [30]. */
  maxLabelNamesPerSeries: number;
  /** `validation.max-length-label-name` [1024] bytes. */
  maxLabelNameLength: number;
  /** `validation.max-length-label-value` [2048] bytes. */
  maxLabelValueLength: number;
  /** `validation.max-profile-size-bytes` [4 MiB], uncompressed. 0 disables. */
  maxProfileSizeBytes: number;
  /** `validation.max-profile-stacktrace-samples` [16000]: more samples refuse the profile. 0 disables. */
  maxProfileStacktraceSamples: number;
  /** `validation.max-profile-stacktrace-sample-labels` [100] labels on one sample refuse the profile. */
  maxProfileStacktraceSampleLabels: number;
  /** `validation.max-profile-stacktrace-depth` [1000]: deeper stacks are cut (leaf frames kept), not refused. */
  maxProfileStacktraceDepth: number;
  /** `validation.max-profile-symbol-value-length` [65535]: longer strings are cut, not refused. */
  maxProfileSymbolValueLength: number;
  /** `distributor.ingestion-rate-limit-mb` [4] MiB/s per tenant (labels + uncompressed profile). Infinity disables. */
  ingestionRateMB: number;
  /** `distributor.ingestion-burst-size-mb` [2] MiB: a bigger single profile is always refused. */
  ingestionBurstSizeMB: number;
  /** `distributor.ingestion-body-limit-mb` [256] MiB before decompression. 0 disables. */
  ingestionBodyLimitMB: number;
  /** `validation.reject-older-than` [1h]: profile time before now − this is refused. 0 disables. */
  rejectOlderThanMs: number;
  /** `validation.reject-newer-than` [10m]: profile time after now + this is refused. 0 disables. */
  rejectNewerThanMs: number;
}

const MiB = 1024 * 1024;

export const PYROSCOPE_DEFAULT_LIMITS: Readonly<PyroscopeLimits> = Object.freeze({
  maxGlobalSeriesPerTenant: 5000,
  maxLocalSeriesPerTenant: 0,
  activeSeriesTimeoutMs: 10 * 60_000,
  maxLabelNamesPerSeries: 30,
  maxLabelNameLength: 1024,
  maxLabelValueLength: 2048,
  maxProfileSizeBytes: 4 * MiB,
  maxProfileStacktraceSamples: 16000,
  maxProfileStacktraceSampleLabels: 100,
  maxProfileStacktraceDepth: 1000,
  maxProfileSymbolValueLength: 65535,
  ingestionRateMB: 4,
  ingestionBurstSizeMB: 2,
  ingestionBodyLimitMB: 256,
  rejectOlderThanMs: 60 * 60_000,
  rejectNewerThanMs: 10 * 60_000,
});

/** The series limit one ingester enforces: the lesser non-zero of local and global (0 = none). */
export function seriesLimit(limits: PyroscopeLimits): number {
  const { maxLocalSeriesPerTenant: local, maxGlobalSeriesPerTenant: global } = limits;
  if (local === 0) return global;
  if (global === 0) return local;
  return Math.min(local, global);
}

export const MIB = MiB;
