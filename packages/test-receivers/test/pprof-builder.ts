// Builds pprof profiles with pprof-format for the Pyroscope receiver tests, and posts them the way
// @pyroscope/nodejs does.
import { gzipSync } from 'node:zlib';
import { Function as PprofFunction, Location, Profile, StringTable, ValueType } from 'pprof-format';
import { post, type PostResult } from './http-helpers.js';

export interface SampleSpec {
  /** Function names, leaf first. */
  stack?: string[];
  values: number[];
  labels?: Record<string, string>;
  numLabels?: Record<string, number>;
}

export interface ProfileSpec {
  /** `type/unit` of each sample type; default the Node wall profile's three. */
  sampleTypes?: string[];
  /** `type/unit`; default wall/nanoseconds. */
  periodType?: string;
  samples: SampleSpec[];
  /** Profile time, ms since the epoch; default now. */
  timeMs?: number;
}

export const WALL_SAMPLE_TYPES = ['samples/count', 'wall/nanoseconds', 'cpu/nanoseconds'];
export const HEAP_SAMPLE_TYPES = ['objects/count', 'space/bytes'];

export function buildProfile(spec: ProfileSpec): Uint8Array {
  const st = new StringTable();
  const valueType = (typeUnit: string) => {
    const [type, unit] = typeUnit.split('/');
    return new ValueType({ type: st.dedup(type!), unit: st.dedup(unit!) });
  };
  const functions = new Map<string, PprofFunction>();
  const locations = new Map<string, Location>();
  const locationOf = (name: string): number => {
    let location = locations.get(name);
    if (location === undefined) {
      const fn = new PprofFunction({
        id: functions.size + 1,
        name: st.dedup(name),
        systemName: st.dedup(name),
        filename: st.dedup('app.js'),
      });
      functions.set(name, fn);
      location = new Location({ id: locations.size + 1, line: [{ functionId: fn.id, line: 1 }] });
      locations.set(name, location);
    }
    return Number(location.id);
  };
  const samples = spec.samples.map((s) => ({
    locationId: (s.stack ?? ['work', '(root)']).map(locationOf),
    value: s.values,
    label: [
      ...Object.entries(s.labels ?? {}).map(([k, v]) => ({ key: st.dedup(k), str: st.dedup(v) })),
      ...Object.entries(s.numLabels ?? {}).map(([k, n]) => ({ key: st.dedup(k), num: n })),
    ],
  }));
  const profile = new Profile({
    sampleType: (spec.sampleTypes ?? WALL_SAMPLE_TYPES).map(valueType),
    periodType: valueType(spec.periodType ?? 'wall/nanoseconds'),
    period: 10_000_000,
    function: [...functions.values()],
    location: [...locations.values()],
    sample: samples,
    stringTable: st,
    timeNanos: BigInt(spec.timeMs ?? Date.now()) * 1_000_000n,
    durationNanos: 10_000_000_000,
  });
  return profile.encode();
}

/** A wall sample of a span: `span_id`, `span_name` and any other labels. */
export const spanSample = (
  spanId: string,
  spanName: string,
  extra: Record<string, string> = {},
): SampleSpec => ({
  values: [1, 10_000_000, 9_000_000],
  labels: { span_id: spanId, span_name: spanName, ...extra },
});

export function ingestUrl(base: string, params: Record<string, string>): string {
  return `${base}/ingest?${new URLSearchParams(params).toString()}`;
}

/** POST /ingest as @pyroscope/nodejs does: gzipped pprof, application/octet-stream. */
export function upload(
  base: string,
  name: string,
  spec: ProfileSpec | Uint8Array,
  headers: Record<string, string> = {},
): Promise<PostResult> {
  const seconds = Math.floor(Date.now() / 1000);
  const url = ingestUrl(base, {
    format: 'pprof',
    from: String(seconds - 10),
    name,
    spyName: 'nodespy',
    until: String(seconds),
    sampleRate: '100',
  });
  const bytes = spec instanceof Uint8Array ? spec : buildProfile(spec);
  return post(url, gzipSync(bytes), { 'content-type': 'application/octet-stream', ...headers });
}
