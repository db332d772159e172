/**
 * The span → profile link as a user's backends see it, computed from decoded spans (OTLP or Jaeger) and
 * decoded pprof uploads: which spans are local roots, which carry `pyroscope.profile.id`, and where each
 * labelled sample points.
 */
import type { DecodedSample, PyroscopeUpload } from '@rideshare/test-receivers';

export const PROFILE_ID_ATTRIBUTE = 'pyroscope.profile.id';

/** What both span decoders give, reduced to what the link needs. */
export interface LinkSpan {
  traceId: string;
  spanId: string;
  /** undefined for a span without a parent. */
  parentSpanId: string | undefined;
  name: string;
  attributes: Record<string, unknown>;
}

export interface Linkage {
  spans: LinkSpan[];
  /** Spans whose parent is not a span of this process: no parent, or one from another service. */
  localRoots: LinkSpan[];
  /** The local root of each span, by span id. */
  rootOf: Map<string, LinkSpan>;
  /** Samples of wall uploads, with their count. */
  samples: { sample: DecodedSample; count: number }[];
  /** Total of the samples' counts, and of those that carry a `span_id` label. */
  total: number;
  labelled: number;
  /** Labelled samples whose `span_id` is an exported local root and whose `span_name` is that root's name. */
  pointingAtTheirRoot: number;
  /** Label keys seen on samples. */
  labelKeys: Set<string>;
}

export function linkage(spans: LinkSpan[], wallUploads: PyroscopeUpload[]): Linkage {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const rootOf = new Map<string, LinkSpan>();
  const findRoot = (span: LinkSpan): LinkSpan => {
    const known = rootOf.get(span.spanId);
    if (known !== undefined) return known;
    const parent = span.parentSpanId === undefined ? undefined : byId.get(span.parentSpanId);
    const root = parent === undefined ? span : findRoot(parent);
    rootOf.set(span.spanId, root);
    return root;
  };
  for (const span of spans) findRoot(span);
  const localRoots = spans.filter((s) => rootOf.get(s.spanId) === s);
  const rootById = new Map(localRoots.map((s) => [s.spanId, s]));

  const samples = wallUploads.flatMap((u) =>
    u.samples.map((sample) => ({ sample, count: sample.values['samples/count'] ?? 1 })),
  );
  const labelKeys = new Set(samples.flatMap(({ sample }) => Object.keys(sample.labels)));
  let total = 0;
  let labelled = 0;
  let pointingAtTheirRoot = 0;
  for (const { sample, count } of samples) {
    total += count;
    const spanId = sample.labels['span_id'];
    if (spanId === undefined) continue;
    labelled += count;
    const root = rootById.get(spanId);
    if (root !== undefined && sample.labels['span_name'] === root.name) pointingAtTheirRoot += count;
  }
  return { spans, localRoots, rootOf, samples, total, labelled, pointingAtTheirRoot, labelKeys };
}

/** The number in the name of a `burn_<n>` frame of the sample's stack, or undefined. */
export function burnerOf(sample: DecodedSample): number | undefined {
  for (const frame of sample.stack) {
    const match = /(?:^|:)burn_(\d+)(?::|$)/.exec(frame);
    if (match) return Number(match[1]);
  }
  return undefined;
}
