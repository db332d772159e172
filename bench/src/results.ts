/**
 * bench/results.json: the recorded run. Shares are fractions of 1. `REQUIRED_KEYS` are the keys the
 * README and issues 6 and 12 rely on; `checkResults` fails loudly when one is missing or not a number.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';

export const ATTRIBUTION_CONCURRENCY = [1, 8, 32] as const;
export const SHORT_SPAN_RATES_HZ = [100, 1000] as const;
export const SHORT_SPAN_LENGTHS_MS = [2, 5, 10] as const;

/** The demo footprint's goals (issue 12), for footprint-results.ts and the table. */
export const FOOTPRINT_GOALS = {
  totalRssMB: 600,
  totalCpuCores: 0.5,
  growth: 1.1,
  /** eu-north's handler p99 over the highest other region's, in eu-north's slow periods. */
  slowRegionP99Ratio: 5,
  /** Share of a `CarHandler` span's CPU in each of the fleet search and the driver check, in every region. */
  flameGraphPartShare: 0.05,
} as const;

export const REQUIRED_KEYS: readonly string[] = [
  ...(['ours', 'naive'] as const).flatMap((mode) =>
    ATTRIBUTION_CONCURRENCY.flatMap((n) =>
      ['right', 'wrong', 'unlabelled'].map((k) => `attribution.${mode}.${n}.${k}`),
    ),
  ),
  ...['traces', 'tracesJaeger', 'profiles', 'full', 'fullJaeger'].flatMap((setup) =>
    ['throughputRatio', 'p50Ratio', 'p99Ratio', 'cpuThroughputRatio'].map((k) => `overhead.${setup}.${k}`),
  ),
  ...['throughputRatio', 'p99Ratio', 'cpuThroughputRatio'].flatMap((k) =>
    ['low', 'high'].map((end) => `overhead.full.ci95.${k}.${end}`),
  ),
  ...SHORT_SPAN_RATES_HZ.flatMap((hz) => SHORT_SPAN_LENGTHS_MS.map((ms) => `shortSpans.${hz}.${ms}`)),
  'costPerSpanMicros',
  'costPerRequestMicros.total',
  'costPerRequestMicros.parts.spansOtlp',
  'costPerRequestMicros.parts.profilesAndSpanLabels',
  'costPerRequestMicros.parts.logsToLoki',
];

/** The overhead goal of issue 12, on full telemetry against off: the bound and the margin from 1. */
export const OVERHEAD_GOALS = {
  cpuThroughputRatio: { atLeast: 0.95, margin: 0.05 },
  throughputRatio: { atLeast: 0.95, margin: 0.05 },
  p99Ratio: { atMost: 1.1, margin: 0.1 },
} as const;

interface GoalInput {
  cpuThroughputRatio: number;
  throughputRatio: number;
  p99Ratio: number;
  ci95: Record<'cpuThroughputRatio' | 'throughputRatio' | 'p99Ratio', { low: number; high: number }>;
}

/**
 * Met when each ratio's median is within its bound and its 95% interval over the rounds is narrower
 * than the margin (so that the run can tell the result from noise). `intervalClears` says whether the
 * whole interval is within the bound too.
 */
export function overheadGoal(s: GoalInput) {
  const g = OVERHEAD_GOALS;
  const width = (k: keyof GoalInput['ci95']) => s.ci95[k].high - s.ci95[k].low;
  const narrow = (k: keyof typeof g) => width(k) < g[k].margin;
  const within = {
    cpuThroughputRatio: s.cpuThroughputRatio >= g.cpuThroughputRatio.atLeast,
    throughputRatio: s.throughputRatio >= g.throughputRatio.atLeast,
    p99Ratio: s.p99Ratio <= g.p99Ratio.atMost,
  };
  const intervalNarrowerThanMargin = {
    cpuThroughputRatio: narrow('cpuThroughputRatio'),
    throughputRatio: narrow('throughputRatio'),
    p99Ratio: narrow('p99Ratio'),
  };
  return {
    cpuThroughputRatio: '>= 0.95',
    throughputRatio: '>= 0.95',
    p99Ratio: '<= 1.10',
    measured: {
      cpuThroughputRatio: s.cpuThroughputRatio,
      throughputRatio: s.throughputRatio,
      p99Ratio: s.p99Ratio,
      ci95: s.ci95,
    },
    within,
    intervalNarrowerThanMargin,
    intervalClears:
      s.ci95.cpuThroughputRatio.low >= g.cpuThroughputRatio.atLeast &&
      s.ci95.throughputRatio.low >= g.throughputRatio.atLeast &&
      s.ci95.p99Ratio.high <= g.p99Ratio.atMost,
    met: Object.values(within).every(Boolean) && Object.values(intervalNarrowerThanMargin).every(Boolean),
  };
}

/**
 * What other commands wrote into results.json (footprint, overhead breakdown, exporter cost, cost profile) and
 * their goals.
 */
export function keptFromPreviousRun(path: string): {
  goals: Record<string, unknown>;
  [key: string]: unknown;
} {
  if (!existsSync(path)) return { goals: {} };
  const previous = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const goals = (previous.goals ?? {}) as Record<string, unknown>;
  const kept: Record<string, unknown> = { goals: {} };
  for (const key of [
    'footprint',
    'overheadBreakdown',
    'exporterCost',
    'costProfile',
    'costProfileLongWarmup',
  ]) {
    if (previous[key] !== undefined) kept[key] = previous[key];
  }
  for (const key of Object.keys(goals)) {
    if (key.startsWith('footprint') || key === 'demoShows') {
      (kept.goals as Record<string, unknown>)[key] = goals[key];
    }
  }
  return kept as { goals: Record<string, unknown> };
}

export function valueAt(object: unknown, path: string): unknown {
  let at: unknown = object;
  for (const key of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** The required keys that are missing or not finite numbers. */
export function missingKeys(results: unknown): string[] {
  return REQUIRED_KEYS.filter((key) => {
    const value = valueAt(results, key);
    return typeof value !== 'number' || !Number.isFinite(value);
  });
}

export function checkResults(results: unknown): void {
  const missing = missingKeys(results);
  if (missing.length > 0) {
    throw new Error(`bench results lack required keys (or they are not numbers): ${missing.join(', ')}`);
  }
}

/**
 * Rewrites results.json with `patch` merged in at the top level (goals merged key by key), for the
 * commands that add to the bench's run (footprint, breakdown); the bench's own keys are not checked here.
 */
export function patchResults(path: string, patch: Record<string, unknown>): void {
  const results = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
  const goals = { ...(results.goals as object), ...(patch.goals as object) };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ ...results, ...patch, goals }, null, 2)}\n`);
}

/** What a bench command records about its own run: itself, when, on what, under what load, how long. */
export function runRecord(command: string, loadAtStart: number[], startedMs: number) {
  return {
    command,
    date: new Date().toISOString(),
    node: process.version,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    loadAverage: { atStart: loadAtStart, atEnd: os.loadavg() },
    durationSeconds: Math.round((Date.now() - startedMs) / 1000),
  };
}

export function writeResults(path: string, results: unknown): void {
  checkResults(results);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}
