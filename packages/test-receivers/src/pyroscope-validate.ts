// Pyroscope's validation of a pushed profile and of each series' labels, with the server's reasons and
// messages. Source: grafana/pyroscope v1.18.1 pkg/validation/validate.go (ValidateProfile, ValidateLabels,
// SanitizeLegacyLabelName, the *ErrorMsg constants).
import type { Profile } from 'pprof-format';
import { goTimeString, labelsString } from './go-format.js';
import type { LabelPairs } from './pyroscope-labelset.js';
import type { PyroscopeLimits } from './pyroscope-limits.js';

/** validation.Error: a reason (metrics label) and the message the client gets. */
export class PyroscopeValidationError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const byName = (a: [string, string], b: [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** SanitizeLegacyLabelName: `[a-zA-Z_][a-zA-Z0-9_.]*`, dots become underscores; anything else is refused. */
export function sanitizeLegacyLabelName(name: string): { ok: boolean; name: string } {
  if (name.length === 0) return { ok: false, name };
  let hasDots = false;
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (/[a-zA-Z_]/.test(c) || (/[0-9]/.test(c) && i > 0)) continue;
    if (c === '.') hasDots = true;
    else return { ok: false, name };
  }
  return { ok: true, name: hasDots ? name.replaceAll('.', '_') : name };
}

/** ValidateLabels: the series' labels, sorted and with dots in names sanitized, or the server's error. */
export function validateLabels(limits: PyroscopeLimits, input: LabelPairs): LabelPairs {
  if (input.length === 0) {
    throw new PyroscopeValidationError(
      'missing_labels',
      'error at least one label pair is required per profile',
    );
  }
  let ls: LabelPairs = [...input].sort(byName);
  const invalid = (reason: string, detail: string) =>
    new PyroscopeValidationError(reason, `invalid labels '${labelsString(ls)}' with error: ${detail}`);
  if (ls.length > limits.maxLabelNamesPerSeries) {
    throw new PyroscopeValidationError(
      'max_label_names_per_series',
      `profile series '${labelsString(ls)}' has ${ls.length} label names; limit ${limits.maxLabelNamesPerSeries}`,
    );
  }
  const get = (name: string) => ls.find(([n]) => n === name)?.[1] ?? '';
  if (get('__name__') === '') throw invalid('invalid_labels', 'invalid metric name');
  if (get('service_name') === '') throw invalid('missing_labels', 'service name is not provided');

  let last = '';
  let idx = 0;
  while (idx < ls.length) {
    const [name, value] = ls[idx]!;
    if (bytes(name) > limits.maxLabelNameLength) {
      throw new PyroscopeValidationError(
        'label_name_too_long',
        `profile with labels '${labelsString(ls)}' has label name too long: '${name}'`,
      );
    }
    if (bytes(value) > limits.maxLabelValueLength) {
      throw new PyroscopeValidationError(
        'label_value_too_long',
        `profile with labels '${labelsString(ls)}' has label value too long: '${value}'`,
      );
    }
    const sanitized = sanitizeLegacyLabelName(name);
    if (!sanitized.ok) throw invalid('invalid_labels', `invalid label name '${name}'`);
    if (sanitized.name !== name) {
      // handleSanitizedLabel: the renamed label goes to its sorted place; an equal one is merged
      const rest = ls.filter((_, i) => i !== idx);
      const existing = rest.find(([n]) => n === sanitized.name);
      if (existing !== undefined) {
        if (existing[1] !== value) {
          throw new PyroscopeValidationError(
            'duplicate_label_names',
            `profile with labels '${labelsString(ls)}' has duplicate label name '${sanitized.name}' after label name sanitization from '${name}'`,
          );
        }
        ls = rest;
      } else {
        let at = rest.findIndex(([n]) => n > sanitized.name);
        if (at < 0) at = rest.length;
        rest.splice(at, 0, [sanitized.name, value]);
        ls = rest;
        if (at < idx) idx = at;
      }
      last = idx > 0 ? ls[idx - 1]![0] : '';
      continue;
    }
    if (name === last) {
      throw new PyroscopeValidationError(
        'duplicate_label_names',
        `profile with labels '${labelsString(ls)}' has duplicate label name: '${name}'`,
      );
    }
    last = name;
    idx++;
  }
  return ls;
}

export interface ProfileFixes {
  /** Samples whose stacks were cut to maxProfileStacktraceDepth. */
  truncatedStacks: number;
  /** Strings cut to maxProfileSymbolValueLength. */
  truncatedStrings: number;
}

/**
 * ValidateProfile on the whole pushed profile (before the split into series): ingestion window, size,
 * sample count, labels per sample, malformed parts. Cuts deep stacks and long strings like the server.
 */
export function validateProfile(
  limits: PyroscopeLimits,
  profile: Profile,
  uncompressedSize: number,
  seriesLabels: LabelPairs,
  nowMs: number,
): ProfileFixes {
  const ls = labelsString([...seriesLabels].sort(byName));
  const malformed = (message: string) => new PyroscopeValidationError('malformed_profile', message);
  if (profile.sampleType.length === 0) throw malformed('empty profile');
  const timeNanos = BigInt(profile.timeNanos);
  if (timeNanos > 0n) {
    const t = Number(timeNanos / 1_000_000n); // model.TimeFromUnixNano: milliseconds
    const from = limits.rejectOlderThanMs === 0 ? 0 : nowMs - limits.rejectOlderThanMs;
    const to = limits.rejectNewerThanMs === 0 ? 0 : nowMs + limits.rejectNewerThanMs;
    if (!((from === 0 || t > from) && (to === 0 || t < to))) {
      const detail =
        to === 0
          ? `the ingestion window starts at ${goTimeString(from)}`
          : from === 0
            ? `the ingestion window ends at ${goTimeString(to)}`
            : `the ingestion window starts at ${goTimeString(from)} and ends at ${goTimeString(to)}`;
      throw new PyroscopeValidationError(
        'not_in_ingestion_window',
        `profile with labels '${ls}' is outside of ingestion window (profile timestamp: ${goTimeString(t)}, ${detail})`,
      );
    }
  } else {
    profile.timeNanos = BigInt(nowMs) * 1_000_000n;
  }
  if (limits.maxProfileSizeBytes !== 0 && uncompressedSize > limits.maxProfileSizeBytes) {
    throw new PyroscopeValidationError(
      'profile_size_limit',
      `the profile with labels '${ls}' exceeds the size limit (max_profile_size_byte, actual: ${uncompressedSize}, limit: ${limits.maxProfileSizeBytes})`,
    );
  }
  const samples = profile.sample.length;
  if (limits.maxProfileStacktraceSamples !== 0 && samples > limits.maxProfileStacktraceSamples) {
    throw new PyroscopeValidationError(
      'samples_limit',
      `the profile with labels '${ls}' exceeds the samples count limit (max_profile_stacktrace_samples, actual: ${samples}, limit: ${limits.maxProfileStacktraceSamples})`,
    );
  }
  const fixes: ProfileFixes = { truncatedStacks: 0, truncatedStrings: 0 };
  const depth = limits.maxProfileStacktraceDepth;
  const labelsLimit = limits.maxProfileStacktraceSampleLabels;
  for (const sample of profile.sample) {
    if (depth !== 0 && sample.locationId.length > depth) {
      // "Truncate the deepest frames: s.LocationId[0] is the leaf."
      sample.locationId = sample.locationId.slice(sample.locationId.length - depth);
      fixes.truncatedStacks++;
    }
    if (labelsLimit !== 0 && sample.label.length > labelsLimit) {
      throw new PyroscopeValidationError(
        'sample_labels_limit',
        `the profile with labels '${ls}' exceeds the sample labels limit (max_profile_stacktrace_sample_labels, actual: ${sample.label.length}, limit: ${labelsLimit})`,
      );
    }
  }
  const strings = profile.stringTable.strings;
  const symbolLimit = limits.maxProfileSymbolValueLength;
  if (symbolLimit > 0) {
    strings.forEach((s, i) => {
      if (bytes(s) > symbolLimit) {
        strings[i] = Buffer.from(s)
          .subarray(bytes(s) - symbolLimit)
          .toString('utf8');
        fixes.truncatedStrings++;
      }
    });
  }
  if (profile.location.some((l) => Number(l.id) === 0)) throw malformed('location id is 0');
  if (profile.function.some((f) => Number(f.id) === 0)) throw malformed('function id is 0');
  if (profile.sample.some((s) => s.value.length !== profile.sampleType.length)) {
    throw malformed('sample value length mismatch');
  }
  if (strings.length === 0 || strings[0] !== '') throw malformed('string 0 should be empty string');
  for (const sample of profile.sample) {
    for (const label of sample.label) {
      if (Number(label.str) >= strings.length || Number(label.key) >= strings.length) {
        throw malformed('sample label string index out of range');
      }
    }
  }
  for (const type of profile.sampleType) {
    if ((strings[Number(type.type)] ?? '').includes('-')) throw malformed('sample type contains -');
  }
  return fixes;
}
