// Loki's validation of a pushed stream and of each entry, with the server's reasons and messages.
// Source: grafana/loki v3.5.0
//   pkg/distributor/validator.go  ValidateLabels, ValidateEntry (order of the checks)
//   pkg/validation/validate.go    the *ErrorMsg format strings and reasons
//   pkg/util/entry_size.go        entry size = line + structured metadata (names + values, not detected_level)
//   pkg/util/errors.go            GroupedErrors: how several errors become one 400 body
import { goRfc3339, labelsString } from './go-format.js';
import type { LokiLimits } from './loki-limits.js';

export class LokiValidationError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
export type LabelPairs = [string, string][];

/** Structured metadata size as Loki counts it: names + values, `detected_level` excluded. */
export function structuredMetadataSize(metadata: Record<string, string> | undefined): number {
  let size = 0;
  for (const [name, value] of Object.entries(metadata ?? {})) {
    if (name !== 'detected_level') size += bytes(name) + bytes(value);
  }
  return size;
}

export const entrySize = (line: string, metadata?: Record<string, string>) =>
  bytes(line) + structuredMetadataSize(metadata);

/** ValidateLabels: `streamLabels` is the stream's label string as pushed, `labels` the parsed ones (sorted). */
export function validateStreamLabels(limits: LokiLimits, streamLabels: string, labels: LabelPairs): void {
  if (labels.length === 0)
    throw new LokiValidationError('missing_labels', 'error at least one label pair is required per stream');
  let count = labels.length;
  // "a special case that's often added by the Loki infrastructure": service_name does not count
  if (labels.some(([n]) => n === 'service_name')) count--;
  if (count > limits.maxLabelNamesPerSeries) {
    throw new LokiValidationError(
      'max_label_names_per_series',
      `entry for stream '${streamLabels}' has ${count} label names; limit ${limits.maxLabelNamesPerSeries}`,
    );
  }
  let last = '';
  for (const [name, value] of labels) {
    if (bytes(name) > limits.maxLabelNameLength) {
      throw new LokiValidationError(
        'label_name_too_long',
        `stream '${streamLabels}' has label name too long: '${name}'`,
      );
    }
    if (bytes(value) > limits.maxLabelValueLength) {
      throw new LokiValidationError(
        'label_value_too_long',
        `stream '${streamLabels}' has label value too long: '${value}'`,
      );
    }
    if (name === last) {
      throw new LokiValidationError(
        'duplicate_label_names',
        `stream '${streamLabels}' has duplicate label name: '${name}'`,
      );
    }
    last = name;
  }
}

export interface EntryContext {
  limits: LokiLimits;
  nowMs: number;
  /** The stream's parsed labels (for messages: Prometheus `labels.Labels.String()`). */
  labels: LabelPairs;
}

/** ValidateEntry: age, future, line size, structured metadata. `timestampNs` is unix nanoseconds. */
export function validateEntry(
  ctx: EntryContext,
  timestampNs: bigint,
  line: string,
  metadata?: Record<string, string>,
): void {
  const { limits, nowMs } = ctx;
  const ls = labelsString(ctx.labels);
  const ms = Number(timestampNs / 1_000_000n);
  const oldest = BigInt(nowMs - limits.rejectOldSamplesMaxAgeMs) * 1_000_000n;
  if (limits.rejectOldSamples && timestampNs < oldest) {
    throw new LokiValidationError(
      'greater_than_max_sample_age',
      `entry for stream '${ls}' has timestamp too old: ${goRfc3339(ms)}, oldest acceptable timestamp is: ${goRfc3339(nowMs - limits.rejectOldSamplesMaxAgeMs)}`,
    );
  }
  if (timestampNs > BigInt(nowMs + limits.creationGracePeriodMs) * 1_000_000n) {
    throw new LokiValidationError(
      'too_far_in_future',
      `entry for stream '${ls}' has timestamp too new: ${goRfc3339(ms)}`,
    );
  }
  const lineBytes = bytes(line);
  if (limits.maxLineSize !== 0 && lineBytes > limits.maxLineSize) {
    throw new LokiValidationError(
      'line_too_long',
      `Max entry size '${limits.maxLineSize}' bytes exceeded for stream '${ls}' while adding an entry with length '${lineBytes}' bytes`,
    );
  }
  const count = Object.keys(metadata ?? {}).length;
  if (count > 0) {
    if (!limits.allowStructuredMetadata) {
      throw new LokiValidationError(
        'disallowed_structured_metadata',
        `stream '${ls}' includes structured metadata, but this feature is disallowed. Please see \`limits_config.allow_structured_metadata\` or contact your Loki administrator to enable it.`,
      );
    }
    const size = structuredMetadataSize(metadata);
    if (limits.maxStructuredMetadataSize !== 0 && size > limits.maxStructuredMetadataSize) {
      throw new LokiValidationError(
        'structured_metadata_too_large',
        `stream '${ls}' has structured metadata too large: '${size}' bytes, limit: '${limits.maxStructuredMetadataSize}' bytes. Please see \`limits_config.max_structured_metadata_size\` or contact your Loki administrator to increase it.`,
      );
    }
    if (limits.maxStructuredMetadataEntriesCount !== 0 && count > limits.maxStructuredMetadataEntriesCount) {
      throw new LokiValidationError(
        'structured_metadata_too_many',
        `stream '${ls}' has too many structured metadata labels: '${count}', limit: '${limits.maxStructuredMetadataEntriesCount}'. Please see \`limits_config.max_structured_metadata_entries_count\` or contact your Loki administrator to increase it.`,
      );
    }
  }
}

/**
 * GroupedErrors.Error(): one part per distinct message, `N errors like: ` before it when there are several
 * distinct messages or it repeats, joined by `; `. (Go iterates a map, so its order varies; here it is the
 * order of first appearance.)
 */
export function groupedErrors(messages: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(m, (counts.get(m) ?? 0) + 1);
  return [...counts]
    .map(([message, n]) => (counts.size > 1 || n > 1 ? `${n} errors like: ${message}` : message))
    .join('; ');
}
