// What makes a Pyroscope series, and the active-series limit that counts them.
//
// One pushed profile becomes several series (grafana/pyroscope v1.18.1):
//  1. pkg/pprof/pprof.go Profile.Normalize (distributor): numeric sample labels are dropped, and so are
//     samples whose values are all zero or any negative.
//  2. pkg/model/pprofsplit/pprof_split.go VisitSampleSeries (distributor): the legacy `profile_id` label is
//     renamed `span_id` (RenameLabel), then the samples are grouped by their labels *without `span_id`*
//     (GroupSamplesWithoutLabels(profile, "span_id")). Each group is one series: the pushed series labels
//     plus the group's sample labels (a name the series labels already have keeps the series value). So
//     `span_id` stays per sample, and every other sample label (`span_name`, `trace_id`, ...) is a series
//     label. Each series' labels go through ValidateLabels.
//  3. pkg/phlaredb/labels/labels.go CreateProfileLabels (ingester head): each *sample type* of the profile is
//     its own series, with `__profile_type__` = `<__name__>:<type>:<unit>:<period type>:<period unit>`,
//     `__type__`, `__unit__`, `__period_type__`, `__period_unit__` and `__service_name__` added and
//     `__delta__` removed (pkg/phlaredb/head.go Ingest).
//  4. pkg/ingester/limiter.go AllowProfile, called for every sample type's series in turn: a series not yet
//     active is refused once the tenant has `limit` active ones (those already let through stay active, so
//     a refused upload can still have added some); a series stops being active 10 minutes after its last
//     write.
import type { Profile } from 'pprof-format';
import type { LabelPairs } from './pyroscope-labelset.js';
import { validateLabels } from './pyroscope-validate.js';
import type { PyroscopeLimits } from './pyroscope-limits.js';

export const SPAN_ID_LABEL = 'span_id';
export const PROFILE_ID_LABEL = 'profile_id';

/** A sample label value is a span id only if it is 16 hex characters (pkg/pprof/pprof.go decodeSpanID). */
export const isSpanId = (value: string) => /^[0-9a-fA-F]{16}$/.test(value);

/** Label pairs sorted by name, then value. */
export function sortPairs(pairs: LabelPairs): LabelPairs {
  return [...pairs].sort((a, b) =>
    a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0,
  );
}

export interface SampleGroup {
  /** The group's series labels (validated: sorted, names sanitized). */
  labels: LabelPairs;
  samples: number;
}

/** Normalize's sample and label pruning (steps 1). Returns how many samples it removed. */
export function normalizeSamples(profile: Profile): number {
  const before = profile.sample.length;
  for (const sample of profile.sample) sample.label = sample.label.filter((l) => Number(l.str) !== 0);
  profile.sample = profile.sample.filter((sample) => {
    const values = sample.value.map(Number);
    return !values.some((v) => v < 0) && values.some((v) => v > 0);
  });
  return before - profile.sample.length;
}

/** Step 2: the series the distributor makes of one normalized profile; throws PyroscopeValidationError. */
export function splitSampleSeries(
  limits: PyroscopeLimits,
  profile: Profile,
  seriesLabels: LabelPairs,
): SampleGroup[] {
  const strings = profile.stringTable.strings;
  const str = (i: unknown) => strings[Number(i)] ?? '';
  const groups = new Map<string, { labels: LabelPairs; samples: number }>();
  for (const sample of profile.sample) {
    // profile_id is renamed span_id, and span_id does not group
    const kept = sortPairs(
      sample.label
        .map((l) => [str(l.key), str(l.str)] as [string, string])
        .filter(([key]) => key !== SPAN_ID_LABEL && key !== PROFILE_ID_LABEL),
    );
    const key = JSON.stringify(kept);
    const group = groups.get(key);
    if (group !== undefined) group.samples++;
    else groups.set(key, { labels: kept, samples: 1 });
  }
  if (groups.size === 0 || (groups.size === 1 && [...groups.values()][0]!.labels.length === 0)) {
    return profile.sample.length > 0
      ? [{ labels: validateLabels(limits, seriesLabels), samples: profile.sample.length }]
      : [];
  }
  // groups whose labels come out the same (a sample label shadowed by a series label) merge
  const merged = new Map<string, SampleGroup>();
  for (const group of groups.values()) {
    const labels: LabelPairs = [...seriesLabels];
    for (const [name, value] of group.labels) {
      if (!labels.some(([n, v]) => n === name && v !== '')) labels.push([name, value]);
    }
    const key = seriesKey(sortPairs(labels));
    const into = merged.get(key);
    if (into !== undefined) into.samples += group.samples;
    else merged.set(key, { labels, samples: group.samples });
  }
  return [...merged.values()].map((g) => ({ labels: validateLabels(limits, g.labels), samples: g.samples }));
}

/** Step 3: one label set per sample type of the profile. */
export function profileTypeSeries(profile: Profile, groupLabels: LabelPairs): LabelPairs[] {
  const strings = profile.stringTable.strings;
  const str = (i: unknown) => strings[Number(i)] ?? '';
  const base = groupLabels.filter(([n]) => n !== '__delta__' && n !== '__otel__' && n !== '__order__');
  const get = (name: string) => base.find(([n]) => n === name)?.[1] ?? '';
  const common: LabelPairs = [];
  if (get('service_name') !== '') common.push(['__service_name__', get('service_name')]);
  let periodType = '';
  let periodUnit = '';
  if (profile.periodType !== undefined) {
    periodType = str(profile.periodType.type);
    periodUnit = str(profile.periodType.unit);
    common.push(['__period_type__', periodType], ['__period_unit__', periodUnit]);
  }
  return profile.sampleType.map((t) => {
    const type = str(t.type);
    const unit = str(t.unit);
    const labels = new Map<string, string>([...base, ...common]);
    labels.set('__type__', type);
    labels.set('__unit__', unit);
    labels.set('__profile_type__', `${get('__name__')}:${type}:${unit}:${periodType}:${periodUnit}`);
    return sortPairs([...labels]);
  });
}

/** The identity of a series: its sorted label pairs. */
export function seriesKey(sortedLabels: LabelPairs): string {
  return sortedLabels.map(([n, v]) => `${n}\u00ff${v}`).join('\u00fe');
}

interface ActiveSeriesEntry {
  labels: LabelPairs;
  lastUsed: number;
}

/** Step 4, per tenant. */
export class ActiveSeries {
  #byTenant = new Map<string, Map<string, ActiveSeriesEntry>>();

  constructor(
    private readonly limit: () => number,
    private readonly timeoutMs: () => number,
  ) {}

  #series(tenant: string, now: number): Map<string, ActiveSeriesEntry> {
    let series = this.#byTenant.get(tenant);
    if (series === undefined) {
      series = new Map();
      this.#byTenant.set(tenant, series);
    }
    const timeout = this.timeoutMs();
    for (const [key, entry] of series) if (now - entry.lastUsed > timeout) series.delete(key);
    return series;
  }

  /**
   * Admits the label sets in order, as AllowProfile does; stops at the first one refused.
   * Returns how many were admitted and, when one was refused, the active count and limit at that moment.
   */
  admit(
    tenant: string,
    labelSets: LabelPairs[],
    now: number,
  ): { admitted: number; refused?: { active: number; limit: number } } {
    const series = this.#series(tenant, now);
    const limit = this.limit();
    let admitted = 0;
    for (const labels of labelSets) {
      const key = seriesKey(labels);
      const entry = series.get(key);
      if (entry === undefined && limit !== 0 && series.size >= limit) {
        return { admitted, refused: { active: series.size, limit } };
      }
      series.set(key, { labels, lastUsed: now });
      admitted++;
    }
    return { admitted };
  }

  /** Would every label set be admitted now? (Nothing is recorded.) */
  wouldAdmit(
    tenant: string,
    labelSets: LabelPairs[],
    now: number,
  ): { admitted: number; refused?: { active: number; limit: number } } {
    const series = this.#series(tenant, now);
    const limit = this.limit();
    const added = new Set<string>();
    let admitted = 0;
    for (const labels of labelSets) {
      const key = seriesKey(labels);
      if (!series.has(key) && !added.has(key)) {
        if (limit !== 0 && series.size + added.size >= limit) {
          return { admitted, refused: { active: series.size + added.size, limit } };
        }
        added.add(key);
      }
      admitted++;
    }
    return { admitted };
  }

  /** Active series label sets of a tenant (all tenants when undefined). */
  labelSets(tenant?: string, now = Date.now()): LabelPairs[] {
    const tenants = tenant === undefined ? [...this.#byTenant.keys()] : [tenant];
    return tenants.flatMap((t) => [...this.#series(t, now).values()].map((e) => e.labels));
  }

  clear(): void {
    this.#byTenant.clear();
  }
}
