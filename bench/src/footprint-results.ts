/**
 * The footprint in bench/results.json: `footprint` (the default run) and `footprint.long` (the 30-minute
 * run), their goals computed from the measured values, merged into the file the bench writes without
 * touching what the bench measured (and the bench keeps them when it rewrites the file: results.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { FlameGraphSummary } from './demo-signals.js';
import { FOOTPRINT_GOALS, patchResults } from './results.js';
import { tableOf } from './table.js';

export interface FootprintProcess {
  name: string;
  rssMB: number;
  /** Proportional set size: shared pages (the node binary) split between the processes mapping them. */
  pssMB: number | null;
  maxRssMB: number;
  heapUsedMB: number | null;
  heapTotalMB: number | null;
  /** CPU time over wall time in the measured window (1 = one core). */
  cpuCores: number;
  logLines: number;
}

export interface Footprint {
  command: string;
  date: string;
  node: string;
  cpuModel: string;
  cores: number;
  loadAverage: { atStart: number[]; atEnd: number[] };
  backends: string;
  durationMinutes: number;
  measuredFromMinute: number;
  demoExitCode: number | null;
  /** Set on tuning runs (--env, --node-options), which are not written. */
  tunedWith?: { env: Record<string, string>; nodeOptions: string | undefined };
  settings: Record<string, unknown>;
  totalRssMB: number;
  totalPssMB: number;
  totalHeapUsedMB: number;
  totalCpuCores: number;
  processes: FootprintProcess[];
  demoScript: FootprintProcess;
  totalRssMBByMinute: [number, number][];
  rssAt5MinMB?: number;
  rssAt30MinMB?: number;
  growth?: number;
  /** How rssAt5MinMB and rssAt30MinMB are taken from the samples. */
  growthWindow?: string;
  shows?: {
    orderWork: { orders: number; medianMs: number; p5Ms: number; p95Ms: number; shareIn200To400Ms: number };
    spansByName: Record<string, number>;
    slowPeriodSeconds: number;
    latency: Record<'slow' | 'normal', Record<string, { requests: number; p50Ms: number; p99Ms: number }>>;
    flameGraphs: Record<string, FlameGraphSummary>;
  };
  long?: Footprint;
  tuning?: unknown[];
}

export { FOOTPRINT_GOALS };

/** eu-north's p99 in its slow periods over the highest p99 of the other regions then. */
export function slowRegionRatio(f: Footprint): number | null {
  const slow = f.shows?.latency.slow;
  const eu = slow?.['eu-north']?.p99Ms;
  const others = Object.entries(slow ?? {})
    .filter(([region]) => region !== 'eu-north')
    .map(([, l]) => l.p99Ms);
  return eu === undefined || others.length === 0 ? null : Math.round((eu / Math.max(...others)) * 100) / 100;
}

/**
 * Whether every region's `CarHandler` flame graph shows both the fleet search and the driver check. For
 * eu-north, the CarHandlers outside its slow periods (in them the schedule rebuild takes ~90% and the fleet
 * search a few %, which is the slowness the demo shows, not a missing part).
 */
export function flameGraphsShowBothParts(f: Footprint): boolean {
  const regions = Object.entries(f.shows?.flameGraphs ?? {}).filter(([key]) => key !== 'load-generator');
  return (
    regions.length === 3 &&
    regions.every(([, graph]) => {
      const car = (graph.byPeriod?.normal ?? graph.spans).CarHandler;
      return (
        (car?.fleetSearch ?? 0) >= FOOTPRINT_GOALS.flameGraphPartShare &&
        (car?.driverCheck ?? 0) >= FOOTPRINT_GOALS.flameGraphPartShare
      );
    })
  );
}

export function footprintGoals(short: Footprint | undefined, long: Footprint | undefined) {
  const g = FOOTPRINT_GOALS;
  const ratio = short === undefined ? null : slowRegionRatio(short);
  const work = short?.shows?.orderWork;
  return {
    // a laptop has to hold the demo for as long as it runs: with a long run, its RSS at 30 minutes counts too
    footprintRss: {
      totalRssMB: `<= ${g.totalRssMB}, after 5 minutes and, with a long run, after 30`,
      measured: short?.totalRssMB ?? null,
      measuredAt30Min: long?.rssAt30MinMB ?? null,
      met:
        short !== undefined &&
        short.totalRssMB <= g.totalRssMB &&
        (long?.rssAt30MinMB === undefined || long.rssAt30MinMB <= g.totalRssMB),
    },
    footprintCpu: {
      totalCpuCores: `<= ${g.totalCpuCores}`,
      measured: short?.totalCpuCores ?? null,
      met: short !== undefined && short.totalCpuCores <= g.totalCpuCores,
    },
    footprintGrowth: {
      rssAt30MinOverRssAt5Min: `<= ${g.growth}`,
      measured: long?.growth ?? null,
      met: long?.growth !== undefined && long.growth <= g.growth,
    },
    demoShows: {
      orderWorkMs: '200–400 from the 5th to the 95th percentile',
      euNorthSlowP99Ratio: `>= ${g.slowRegionP99Ratio}`,
      flameGraphs: `fleet search and driver check each >= ${g.flameGraphPartShare * 100}% of CarHandler's CPU, every region`,
      measured: {
        orderWork: work ?? null,
        euNorthSlowP99Ratio: ratio,
        flameGraphsShowBothParts: short !== undefined && flameGraphsShowBothParts(short),
      },
      met:
        short !== undefined &&
        work !== undefined &&
        work.p5Ms >= 200 &&
        work.p95Ms <= 400 &&
        ratio !== null &&
        ratio >= g.slowRegionP99Ratio &&
        flameGraphsShowBothParts(short),
    },
  };
}

function readResults(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run bench\` first`);
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/**
 * Puts a footprint run into results.json: a default run becomes `footprint` (keeping `footprint.long` and
 * `footprint.tuning`), a long one `footprint.long`; the footprint goals are recomputed from both.
 */
export function mergeResults(path: string, run: Footprint, kind: 'short' | 'long'): void {
  const results = readResults(path);
  const previous = results.footprint as Partial<Footprint> | undefined;
  const footprint: Partial<Footprint> =
    kind === 'short'
      ? {
          ...run,
          ...(previous?.long !== undefined && { long: previous.long }),
          ...(previous?.tuning !== undefined && { tuning: previous.tuning }),
        }
      : { ...previous, long: run };
  const short = footprint.totalRssMB === undefined ? undefined : (footprint as Footprint);
  const goals = { ...(results.goals as object), ...footprintGoals(short, footprint.long) };
  patchResults(path, { footprint, goals, ...tableOf({ ...results, footprint, goals }) });
}

/** A tuning step and its measured totals, appended to `footprint.tuning` (kept by later runs). */
export function appendTuning(path: string, run: Footprint & { label: string }): void {
  const results = readResults(path);
  const footprint = (results.footprint ?? {}) as Partial<Footprint> & { tuning?: unknown[] };
  const step = {
    label: run.label,
    date: run.date,
    loadAverage: run.loadAverage,
    env: run.tunedWith?.env ?? {},
    nodeOptions: run.tunedWith?.nodeOptions ?? '',
    durationMinutes: run.durationMinutes,
    totalRssMB: run.totalRssMB,
    totalPssMB: run.totalPssMB,
    totalHeapUsedMB: run.totalHeapUsedMB,
    totalCpuCores: run.totalCpuCores,
    processes: run.processes.map(({ name, rssMB, maxRssMB, heapUsedMB, cpuCores }) => ({
      name,
      rssMB,
      maxRssMB,
      heapUsedMB,
      cpuCores,
    })),
    ...(run.shows !== undefined && {
      orderWork: run.shows.orderWork,
      euNorthSlowP99Ratio: slowRegionRatio(run),
      flameGraphsShowBothParts: flameGraphsShowBothParts(run),
    }),
  };
  patchResults(path, { footprint: { ...footprint, tuning: [...(footprint.tuning ?? []), step] } });
}
