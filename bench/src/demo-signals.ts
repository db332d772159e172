/**
 * What the demo shows, read from the spans and profiles its four processes send to the local receivers:
 *
 *  - each order's own work: `OrderVehicle` minus its `RequestVehicle` call (the original example's
 *    200–400 ms);
 *  - eu-north's periodic slowness: the p99 of each region's handler spans during eu-north's slow periods
 *    (the same clock rule the app uses, `isScheduleCacheBypassed`);
 *  - the flame graphs: CPU time in the fleet search and the driver check, per process, from the uploaded
 *    wall profiles, and how much of it carries a span label.
 *
 * The receivers are emptied after each `absorb`, so a 30-minute run keeps only these compact records.
 */
import {
  NO_PARENT_SPAN_ID,
  type AllReceivers,
  type JaegerSpan,
  type OtlpSpan,
} from '@rideshare/test-receivers';
import { loadConfig } from '@rideshare/rideshare/dist/src/config.js';
import { isScheduleCacheBypassed } from '@rideshare/rideshare/dist/src/slowdown.js';
import { frameFunction } from './attribution.js';
import { quantile, round } from './stats.js';

/** Functions whose frames make each part of a flame graph (apps/rideshare, apps/load-generator). */
export const FLAME_GRAPH_PARTS = {
  fleetSearch: ['findNearestVehicles', 'measureDistances', 'closestFirst'],
  driverCheck: ['checkDriverAvailability', 'scoreDrivers', 'minutesLeftOnShift'],
  slowDriverCheck: ['rebuildDriverScheduleIndex', 'scanShiftTableForDriver'],
  routePlanning: ['planRoute', 'evaluateRouteAlternatives', 'shortestPath', 'trafficScenario'],
} as const;
export type FlameGraphPart = keyof typeof FLAME_GRAPH_PARTS;

const PARTS = Object.entries(FLAME_GRAPH_PARTS) as [FlameGraphPart, readonly string[]][];
const HANDLERS = new Set(['BikeHandler', 'ScooterHandler', 'CarHandler']);
const CPU = 'cpu/nanoseconds';

interface SpanRecord {
  name: string;
  spanId: string;
  parentSpanId: string;
  startMs: number;
  durationMs: number;
  region: string | undefined;
}

interface RootCpu {
  ns: number;
  parts: Record<FlameGraphPart, number>;
}

interface CpuTally {
  totalNs: number;
  /**
   * CPU of samples labelled with a local-root span, by `span_id` (with its `span_name`): summed by name for
   * the flame graphs, and split by the period each eu-north span started in.
   */
  bySpanId: Map<string, RootCpu & { name: string }>;
  uploads: number;
}

export interface LatencySummary {
  requests: number;
  p50Ms: number;
  p99Ms: number;
}

export class DemoSignals {
  readonly #spans: SpanRecord[] = [];
  readonly #cpu = new Map<string, CpuTally>();
  readonly slowPeriodSeconds = loadConfig({ REGION: 'eu-north' }).slowPeriodSeconds;

  /**
   * Takes what the receivers hold, then empties them: spans from the Jaeger receiver and, when the apps send
   * OTLP (the default), from `otlp`.
   */
  absorb(receivers: AllReceivers, otlp?: { spans: OtlpSpan[]; clear(): void }): void {
    for (const span of receivers.jaeger.spans) this.#spans.push(record(span));
    for (const span of otlp?.spans ?? []) this.#spans.push(recordOtlp(span));
    otlp?.clear();
    for (const upload of receivers.pyroscope.uploads) {
      if (!upload.sampleTypes.includes(CPU)) continue; // heap profiles
      const key = upload.query.tags.region ?? upload.query.appName;
      let tally = this.#cpu.get(key);
      if (tally === undefined) this.#cpu.set(key, (tally = { totalNs: 0, bySpanId: new Map(), uploads: 0 }));
      tally.uploads++;
      for (const sample of upload.samples) {
        const ns = sample.values[CPU] ?? 0;
        tally.totalNs += ns;
        const spanName = sample.labels.span_name;
        const spanId = sample.labels.span_id;
        if (spanName === undefined || spanId === undefined) continue;
        let ofSpan = tally.bySpanId.get(spanId);
        if (ofSpan === undefined)
          tally.bySpanId.set(spanId, (ofSpan = { name: spanName, ns: 0, parts: noParts() }));
        ofSpan.ns += ns;
        const names = new Set(sample.stack.map(frameFunction));
        for (const [part, functions] of PARTS) {
          if (functions.some((name) => names.has(name))) ofSpan.parts[part] += ns;
        }
      }
    }
    receivers.clear();
  }

  /** Each order's own work: `OrderVehicle` minus the `RequestVehicle` calls under it. */
  orderWork(): { orders: number; medianMs: number; p5Ms: number; p95Ms: number; shareIn200To400Ms: number } {
    const calls = new Map<string, number>();
    for (const s of this.#spans) {
      if (s.name === 'RequestVehicle')
        calls.set(s.parentSpanId, (calls.get(s.parentSpanId) ?? 0) + s.durationMs);
    }
    const work = this.#spans
      .filter((s) => s.name === 'OrderVehicle' && calls.has(s.spanId))
      .map((s) => s.durationMs - calls.get(s.spanId)!);
    return {
      orders: work.length,
      medianMs: round(quantile(work, 0.5), 1),
      p5Ms: round(quantile(work, 0.05), 1),
      p95Ms: round(quantile(work, 0.95), 1),
      shareIn200To400Ms: round(
        work.filter((ms) => ms >= 200 && ms <= 400).length / Math.max(1, work.length),
        4,
      ),
    };
  }

  /** How many spans of each name arrived (local roots and children of all four processes). */
  spansByName(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const s of this.#spans) counts[s.name] = (counts[s.name] ?? 0) + 1;
    return Object.fromEntries(Object.entries(counts).sort());
  }

  /** Handler-span latency per region, in eu-north's slow periods and outside them. */
  regionLatency(): Record<'slow' | 'normal', Record<string, LatencySummary>> {
    const out = { slow: {}, normal: {} } as Record<'slow' | 'normal', Record<string, LatencySummary>>;
    const groups = new Map<string, number[]>();
    for (const s of this.#spans) {
      if (!HANDLERS.has(s.name) || s.region === undefined) continue;
      const period = isScheduleCacheBypassed('periodic', this.slowPeriodSeconds, s.startMs)
        ? 'slow'
        : 'normal';
      const key = `${period}/${s.region}`;
      let list = groups.get(key);
      if (list === undefined) groups.set(key, (list = []));
      list.push(s.durationMs);
    }
    for (const [key, list] of [...groups].sort()) {
      const [period, region] = key.split('/') as ['slow' | 'normal', string];
      out[period][region] = {
        requests: list.length,
        p50Ms: round(quantile(list, 0.5), 2),
        p99Ms: round(quantile(list, 0.99), 2),
      };
    }
    return out;
  }

  /**
   * Per process: CPU seconds in the uploaded profiles, the share labelled with a span, and for each
   * local-root span name the share of its CPU in each part: what that span's flame graph shows. For
   * eu-north also `byPeriod`: the same for the spans that started in its slow periods and outside them,
   * since a slow CarHandler's graph is nearly all schedule rebuild and a normal one's is not.
   */
  flameGraphs(): Record<string, FlameGraphSummary> {
    const startedSlow = new Map(
      this.#spans
        .filter((s) => s.region === 'eu-north' && HANDLERS.has(s.name))
        .map((s) => [s.spanId, isScheduleCacheBypassed('periodic', this.slowPeriodSeconds, s.startMs)]),
    );
    return Object.fromEntries(
      [...this.#cpu].sort().map(([key, t]) => {
        const roots = [...t.bySpanId];
        const labelled = roots.reduce((a, [, r]) => a + r.ns, 0);
        const summary: FlameGraphSummary = {
          cpuSeconds: round(t.totalNs / 1e9, 2),
          uploads: t.uploads,
          labelledShare: round(labelled / Math.max(1, t.totalNs), 4),
          spans: spanShares(roots),
        };
        if (key === 'eu-north') {
          // a span that never arrived has no period
          const inPeriod = (slow: boolean) => roots.filter(([spanId]) => startedSlow.get(spanId) === slow);
          summary.byPeriod = { slow: spanShares(inPeriod(true)), normal: spanShares(inPeriod(false)) };
        }
        return [key, summary];
      }),
    );
  }
}

export interface FlameGraphSummary {
  cpuSeconds: number;
  uploads: number;
  labelledShare: number;
  /** By local-root span name: its CPU seconds and the share of them in each part. */
  spans: SpanShares;
  /** eu-north only: the same for the spans that started in its slow periods, and outside them. */
  byPeriod?: { slow: SpanShares; normal: SpanShares };
}

type SpanShares = Record<string, { cpuSeconds: number } & Partial<Record<FlameGraphPart, number>>>;

/** The CPU of local-root spans summed by span name, and each part's share of it. */
function spanShares(roots: readonly [string, RootCpu & { name: string }][]): SpanShares {
  const byName = new Map<string, RootCpu>();
  for (const [, root] of roots) {
    const sum = byName.get(root.name) ?? { ns: 0, parts: noParts() };
    sum.ns += root.ns;
    for (const part of Object.keys(sum.parts) as FlameGraphPart[]) sum.parts[part] += root.parts[part];
    byName.set(root.name, sum);
  }
  return Object.fromEntries(
    [...byName].sort().map(([name, r]) => [
      name,
      {
        cpuSeconds: round(r.ns / 1e9, 2),
        ...(Object.fromEntries(
          Object.entries(r.parts)
            .filter(([, ns]) => ns > 0)
            .map(([part, ns]) => [part, round(ns / Math.max(1, r.ns), 4)]),
        ) as Partial<Record<FlameGraphPart, number>>),
      },
    ]),
  );
}

function noParts(): Record<FlameGraphPart, number> {
  return Object.fromEntries(Object.keys(FLAME_GRAPH_PARTS).map((part) => [part, 0])) as Record<
    FlameGraphPart,
    number
  >;
}

function record(span: JaegerSpan): SpanRecord {
  const region = span.process.tags.region ?? span.tags.region;
  return {
    name: span.operationName,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    startMs: span.startTimeMicros / 1000,
    durationMs: span.durationMicros / 1000,
    region: typeof region === 'string' ? region : undefined,
  };
}

function recordOtlp(span: OtlpSpan): SpanRecord {
  const region = span.resource.region ?? span.attributes.region;
  const startNs = span.startTimeUnixNano;
  return {
    name: span.name,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ?? NO_PARENT_SPAN_ID,
    startMs: Number(startNs / 1000n) / 1000,
    durationMs: Number((span.endTimeUnixNano - startNs) / 1000n) / 1000,
    region: typeof region === 'string' ? region : undefined,
  };
}
